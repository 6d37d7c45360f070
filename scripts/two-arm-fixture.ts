// Writes the per-subject inputs of the two-arm analysis test (core/testing/two-arm-demo.ts) as CSV,
// for R to run the same tests on (packages/core/src/analysis/fixtures/two-arm-demo.R):
//   npx tsx scripts/two-arm-fixture.ts > packages/core/src/analysis/fixtures/two-arm-demo.csv
import { twoArmDemoInputs } from '@msct/core/testing';

const na = (v: number | null) => (v === null ? 'NA' : String(v));
const rows = twoArmDemoInputs().map((r) =>
  [
    r.subject,
    r.arm,
    r.responder,
    r.mcr,
    r.osTime,
    r.osEvent,
    na(r.rfsTime),
    na(r.rfsEvent),
    ...r.sledaiChange.map(na),
  ].join(','),
);
process.stdout.write(
  `${['subject', 'arm', 'responder', 'mcr', 'os_t', 'os_e', 'rfs_t', 'rfs_e', 'd_M1', 'd_M3', 'd_M6', 'd_M9', 'd_M12'].join(',')}\n${rows.join('\n')}\n`,
);
