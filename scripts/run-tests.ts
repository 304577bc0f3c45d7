// Runs every test suite in sequence, prints a per-suite timing table and one summary line
// `N passed, N failed`. A suite that crashes or reports nothing counts as one failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

interface Suite {
  readonly name: string;
  /** A vitest project name, or a command whose exit code is the single result. */
  readonly vitestProject?: string;
  readonly command?: readonly string[];
  /** Runs only when named on the command line (`make e2e`), not in the default `make test`. */
  readonly onlyWhenNamed?: boolean;
}

const suites: readonly Suite[] = [
  { name: 'typecheck', command: ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'lint', command: ['npx', 'biome', 'check', '.'] },
  { name: 'unit', vitestProject: 'unit' },
  { name: 'netns', vitestProject: 'netns' },
  { name: 'k8s', vitestProject: 'k8s' },
  { name: 'demo', command: ['make', '--no-print-directory', 'demo'] },
  // The product as installed (issue 11): the image from the Dockerfile, deploy/ and the chart on a
  // real three-node kubelet cluster per file (docs/testing.md), about 5 minutes warm.
  { name: 'e2e', vitestProject: 'e2e' },
];

interface Outcome {
  readonly name: string;
  readonly passed: number;
  readonly failed: number;
  readonly seconds: number;
  readonly note: string;
  /** `file > test: first line of the failure`, repeated at the end so a log's tail names what failed. */
  readonly failures?: readonly string[];
}

function runVitest(project: string): Omit<Outcome, 'name' | 'seconds'> {
  const outputFile = join(mkdtempSync(join(tmpdir(), 'ferrolb-vitest-')), 'report.json');
  const result = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile=${outputFile}`,
    ],
    { stdio: 'inherit' },
  );
  if (!existsSync(outputFile)) return { passed: 0, failed: 1, note: `no report (exit ${result.status})` };
  const report = JSON.parse(readFileSync(outputFile, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numTotalTests: number;
    testResults: {
      name: string;
      status: string;
      message?: string;
      assertionResults: { fullName: string; status: string; failureMessages?: string[] }[];
    }[];
  };
  // A file that fails to load reports no tests but a failed result: count it as a failure.
  const brokenFiles = report.testResults.filter((file) => file.status === 'failed' && file.message).length;
  const failed = report.numFailedTests + brokenFiles;
  if (report.numTotalTests === 0 && failed === 0) return { passed: 0, failed: 1, note: 'reported no tests' };
  const crashed = result.status !== 0 && failed === 0;
  const failures = report.testResults.flatMap((file) => {
    const where = relative(process.cwd(), file.name);
    const tests = file.assertionResults
      .filter((test) => test.status === 'failed')
      .map((test) => `${where} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    return file.status === 'failed' && file.message
      ? [...tests, `${where}: ${firstLine(file.message)}`]
      : tests;
  });
  return {
    failures,
    passed: report.numPassedTests,
    failed: failed + (crashed ? 1 : 0),
    note: crashed ? `exit ${result.status} with no failed test` : '',
  };
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]?.slice(0, 2000) ?? '';
}

function runCommand(command: readonly string[]): Omit<Outcome, 'name' | 'seconds'> {
  const [program, ...args] = command;
  const result = spawnSync(program ?? 'false', args, { stdio: 'inherit' });
  return result.status === 0
    ? { passed: 1, failed: 0, note: '' }
    : { passed: 0, failed: 1, note: `exit ${result.status ?? result.signal}` };
}

const only = process.argv.slice(2);
const outcomes: Outcome[] = [];
for (const suite of suites) {
  if (only.length > 0 ? !only.includes(suite.name) : suite.onlyWhenNamed) continue;
  console.log(`\n==> suite ${suite.name}`);
  const started = Date.now();
  const outcome = suite.vitestProject
    ? runVitest(suite.vitestProject)
    : runCommand(suite.command ?? ['false']);
  outcomes.push({ name: suite.name, ...outcome, seconds: (Date.now() - started) / 1000 });
}

const failures = outcomes.flatMap((o) => (o.failures ?? []).map((failure) => `  ${o.name}: ${failure}`));
if (failures.length > 0) console.log(`\nfailed tests:\n${failures.join('\n')}`);
console.log('\nsuite        passed  failed   seconds  note');
for (const o of outcomes) {
  console.log(
    `${o.name.padEnd(12)} ${String(o.passed).padStart(6)}  ${String(o.failed).padStart(6)}  ${o.seconds.toFixed(1).padStart(8)}  ${o.note}`,
  );
}
const passed = outcomes.reduce((sum, o) => sum + o.passed, 0);
const failed = outcomes.reduce((sum, o) => sum + o.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
