import { parseStartArgs, USAGE } from "../../local/start-args";

/** `npm start -- ...`: what each form of the arguments asks for, and the message of each mistake. */
test.each<[string[], { image: string; stack?: string }]>([
  [[], { image: "debian", stack: undefined }],
  [["--image", "cloud"], { image: "cloud", stack: undefined }],
  [["--image=cloud"], { image: "cloud", stack: undefined }],
  [["--stack", "dev"], { image: "debian", stack: "dev" }],
  [["--stack=dev"], { image: "debian", stack: "dev" }],
  [["--image", "cloud", "--stack", "mine"], { image: "cloud", stack: "mine" }],
  [["--stack=mine", "--image=debian"], { image: "debian", stack: "mine" }],
])("%j asks for %j", (argv, expected) => {
  expect(parseStartArgs(argv)).toEqual(expected);
});

test.each<[string[], string]>([
  [["--image", "ubuntu"], "--image is 'ubuntu': it must be one of debian, cloud"],
  [["--image="], "--image needs a value"],
  [["--image"], "--image needs a value"],
  [["--stack"], "--stack needs a value"],
  [["--stack", "--image", "cloud"], "--stack needs a value"],
  [["--stack", "dev", "--stack", "prod"], "--stack is given twice ('dev', 'prod'): give it once"],
  [["--image=cloud", "--image", "debian"], "--image is given twice ('cloud', 'debian'): give it once"],
  [["dev"], "'dev' is not an option of npm start"],
  [["--workers=2"], "'--workers=2' is not an option of npm start"],
])("%j is refused: %s", (argv, message) => {
  expect(() => parseStartArgs(argv)).toThrow(new Error(`${message}; ${USAGE}`));
});

test("the usage names both options and their values", () => {
  expect(USAGE).toBe("usage: npm start [-- [--image debian|cloud] [--stack NAME]]");
});
