/**
 * Benchmark: a planned flip under a steady write load, on real PostgreSQL 15 on loopback.
 * Two application writers (synchronous_commit on and off) commit numbered rows on the old
 * primary; promote.sh fences it, waits for the standby to replay its final WAL position, and
 * promotes. For each link delay (how late the standby receives WAL: 0 on loopback, 70 ms
 * about us-east-1 to us-west-2) it prints the commits the old primary acknowledged, how many
 * of them the new primary lacks (lost), the catch-up wait promote.sh added, and the time from
 * invoking promote.sh to the new primary committing a client's write (recorded as the
 * promotion figure).
 *
 * Run: npm run bench:promotion
 */
import { recoveryObjectives } from "../../domain/runbook";
import { PgSandbox } from "../postgres/cluster";
import { plannedFlipUnderLoad } from "../postgres/plannedFlip";
import { recordPromotion } from "./measurements";

const LINK_DELAYS_MS = [0, 70, 300];

async function main(): Promise<void> {
  const sandbox = await PgSandbox.create("bench-promotion");
  try {
    const flipsMs: number[] = [];
    for (const linkDelayMs of LINK_DELAYS_MS) {
      const flip = await plannedFlipUnderLoad(sandbox, { prefix: `d${linkDelayMs}`, linkDelayMs });
      const measured = flip.measured!;
      if (measured.result.code !== 0) throw new Error(`promote.sh exited ${measured.result.code}:\n${measured.result.stdout}${measured.result.stderr}`);
      const acked = flip.writers.sync.acked.length + flip.writers.async.acked.length;
      const lost = flip.writers.sync.missing.length + flip.writers.async.missing.length;
      flipsMs.push(measured.msToWritable);
      process.stdout.write(
        `planned flip, WAL link delay ${linkDelayMs} ms: ${acked} commits acknowledged (sync ${flip.writers.sync.acked.length}, async ${flip.writers.async.acked.length}), ` +
          `${lost} lost; catch-up wait added ${measured.msCatchingUp ?? 0} ms; promote.sh to a committed write ${measured.msToWritable.toFixed(0)} ms ` +
          `(database RTO ${recoveryObjectives.database.rtoMinutes * 60_000} ms)\n`,
      );
    }
    recordPromotion(flipsMs);
  } finally {
    await sandbox.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
