/**
 * `npm run deploy:guard -- --stack NAME --deployed ROLE`: run by pulumi-up.yml before `pulumi up`;
 * exits 1 when the commit would change the stack's active region (domain/deployGuard.ts).
 */
import { activeRegionChangeRefusal, DeployGuardInputError } from "../../domain/deployGuard";
import { parseStackConfig, StackConfigError } from "../../infra/parseConfig";
import { loadStackConfig, StackFileError } from "../offline/stackFiles";
import { parseFlags, runCli, UsageError } from "./args";
import { deployGuardCommand } from "./commands";

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), deployGuardCommand);
    if (flags.positional.length > 0) throw new UsageError(`${flags.positional[0]}: unexpected argument; use --stack NAME --deployed ROLE`);
    const stack = flags.values.stack?.[0];
    const deployed = flags.values.deployed?.[0];
    if (!stack) throw new UsageError("--stack: required; e.g. npm run deploy:guard -- --stack prod --deployed primary");
    if (deployed === undefined) throw new UsageError('--deployed: required (the stack\'s activeRegionRole output; "" for a stack never updated)');
    // The schema's own reading of activeRegion: its default, and its error for a value that is no role.
    const committed = parseStackConfig(loadStackConfig(stack)).activeRegion;
    const refusal = activeRegionChangeRefusal({ stack, committed, deployed });
    if (refusal) {
      process.stderr.write(`${refusal}\n`);
      return 1;
    }
    process.stdout.write(deployed === "" ? `${stack}: never updated; activeRegion ${committed}\n` : `${stack}: activeRegion stays ${committed}\n`);
    return 0;
  },
  (err) => err instanceof StackFileError || err instanceof StackConfigError || err instanceof DeployGuardInputError,
  deployGuardCommand,
);
