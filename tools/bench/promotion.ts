/**
 * Benchmark: time from invoking promote.sh to the new primary committing a client's write,
 * on real PostgreSQL 15 on loopback. Flips 3 times; before each flip a fresh streaming
 * standby is built from the current primary (the old primary is fenced by the flip and then
 * stopped, as the runbook rebuilds it). Prints each figure, the median and the max, in ms.
 *
 * Run: node -r ./tools/cli/register.js tools/bench/promotion.ts
 */
import { recoveryObjectives } from "../../domain/runbook";
import { PgSandbox } from "../postgres/cluster";
import { flipAndMeasure } from "../postgres/promotion";

const FLIPS = 3;
const PASSWORD = "bench-password";
const REGIONS = ["us-east-1", "us-west-2"] as const;

/** Median of a non-empty list of numbers. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const sandbox = await PgSandbox.create("bench-promotion");
  try {
    let primary = await sandbox.initPrimary({ name: "flip0", superuserPassword: PASSWORD });
    await primary.sql("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders SELECT generate_series(1, 10000)");
    const figures: number[] = [];
    for (let flip = 1; flip <= FLIPS; flip++) {
      const standby = await sandbox.createStandby(primary, { name: `flip${flip}` });
      await standby.waitForReplay(primary);
      const { msToWritable } = await flipAndMeasure(
        { target: standby, region: REGIONS[flip % 2], password: PASSWORD },
        { target: primary, region: REGIONS[(flip + 1) % 2], password: PASSWORD },
      );
      figures.push(msToWritable);
      process.stdout.write(`flip ${flip}: ${msToWritable.toFixed(0)} ms from promote.sh to a committed write\n`);
      await primary.stop();
      primary = standby;
    }
    const rtoMs = recoveryObjectives.database.rtoMinutes * 60_000;
    process.stdout.write(
      `promotion flip (${FLIPS} runs): median ${median(figures).toFixed(0)} ms, max ${Math.max(...figures).toFixed(0)} ms` +
        ` (database RTO ${rtoMs} ms)\n`,
    );
  } finally {
    await sandbox.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
