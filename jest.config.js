// Two fast tiers run by jest; the app (pytest) and e2e tiers are driven by test/run.sh.
// ts-jest transpiles only (isolatedModules): `npm run typecheck` does the type checking once.
const ts = { "^.+\\.ts$": ["ts-jest", { isolatedModules: true }] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { displayName: "unit", testEnvironment: "node", transform: ts, testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    { displayName: "files", testEnvironment: "node", transform: ts, testMatch: ["<rootDir>/test/files/**/*.test.ts"] },
    { displayName: "e2e", testEnvironment: "node", transform: ts, testMatch: ["<rootDir>/test/e2e/**/*.test.ts"] },
  ],
};
