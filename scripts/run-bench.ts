// Runs every benchmark (`bench/<area>/run.ts`), or only the areas named on the command line.
// Each benchmark prints its own figures beside a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2);
const areas = readdirSync('bench', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join('bench', entry.name, 'run.ts')))
  .map((entry) => entry.name)
  .filter((area) => only.length === 0 || only.includes(area))
  .sort();
let failures = 0;
for (const area of areas) {
  console.log(`\n==> bench ${area}`);
  const result = spawnSync('npx', ['tsx', join('bench', area, 'run.ts')], { stdio: 'inherit' });
  if (result.status !== 0) failures += 1;
}
process.exitCode = failures === 0 ? 0 : 1;
