// Two fast tiers run by jest; the app (pytest) and e2e tiers are driven by test/run.sh.
// ts-jest transpiles only (isolatedModules in tsconfig.json): `npm run typecheck` checks types once.
const ts = { "^.+\\.ts$": "ts-jest" };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { displayName: "unit", testEnvironment: "node", transform: ts, testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    { displayName: "files", testEnvironment: "node", transform: ts, testMatch: ["<rootDir>/test/files/**/*.test.ts"] },
    { displayName: "e2e", testEnvironment: "node", transform: ts, testMatch: ["<rootDir>/test/e2e/**/*.test.ts"] },
  ],
};
