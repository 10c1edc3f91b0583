// ESLint's recommended rules and typescript-eslint's, for the program, the local driver and tests.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // test/fixtures/classic/: a student's repository (the e2e tests' fixture), browser JS written as students do.
  { ignores: ["node_modules/", "bin/", ".build/", "files/", "jest.config.js", "test/fixtures/classic/"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["test/**/*.ts"],
    rules: {
      // Mock inputs are untyped by nature.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
