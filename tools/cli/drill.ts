/**
 * `npm run drill -- target [--schedule CRON | --drill ID [--stack dr|prod] [--confirm TEXT]]`
 * prints `drill=<id>` and `stack=<name>` lines (for $GITHUB_OUTPUT): which drill of the
 * runbook's testing schedule a run is and which stack it may touch; prod only with the typed
 * confirmation. `npm run drill -- record --drill ID --stack NAME --outcome passed|failed
 * --where URL` records the result in docs/measurements.json for `npm run readiness`.
 * Exit 2 on bad input, naming it.
 */
import { drillIds, drillTarget, type DrillId } from "../../domain/testingSchedule";
import { MeasurementsError, recordDrill } from "../readiness/measurements";
import { parseFlags, runCli, UsageError } from "./args";

const usage = "use target [--schedule CRON | --drill ID --stack dr|prod --confirm TEXT] or record --drill ID --stack NAME --outcome passed|failed --where URL";

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), { values: ["schedule", "drill", "stack", "confirm", "outcome", "where"], switches: [] });
    const [command, ...extra] = flags.positional;
    if (extra.length > 0) throw new UsageError(`${extra[0]}: unexpected argument; ${usage}`);
    const one = (flag: string) => flags.values[flag]?.[0];
    if (command === "target") {
      let target;
      try {
        target = drillTarget({ schedule: one("schedule"), drill: one("drill"), stack: one("stack"), confirm: one("confirm") });
      } catch (err) {
        throw new UsageError(`--${(err as Error).message}`);
      }
      process.stdout.write(`drill=${target.drill}\nstack=${target.stack}\n`);
      return 0;
    }
    if (command === "record") {
      const drill = one("drill") as DrillId;
      if (!drillIds.includes(drill)) throw new UsageError(`--drill: "${one("drill") ?? ""}" is not a drill; allowed: ${drillIds.join(", ")}`);
      const outcome = one("outcome");
      if (outcome !== "passed" && outcome !== "failed") throw new UsageError(`--outcome: "${outcome ?? ""}" is not allowed; use passed or failed`);
      recordDrill(drill, { when: new Date().toISOString(), outcome, stack: one("stack") ?? "", where: one("where") ?? "" });
      process.stdout.write(`recorded ${drill}: ${outcome}\n`);
      return 0;
    }
    throw new UsageError(`${command ?? "(none)"}: not a command; ${usage}`);
  },
  (err) => err instanceof MeasurementsError,
);
