/**
 * `npm run cost -- --stack prod [--set key=value ...] [--format text|markdown|json] [--base FILE]
 * [--out FILE]`: the monthly cost of a stack from its offline plan and the committed price table.
 * Pricing is pure (domain/cost/report.ts); this file plans, reads the config and renders.
 * Flags and help: `costCommand` in ./commands.ts. Exit 1 when an AWS type of the plan has no price.
 */
import { PriceLookupError } from "../../domain/cost/priceTable";
import { StackConfigError } from "../../infra/parseConfig";
import { StackFileError } from "../offline/stackFiles";
import { PriceTableError } from "../cost/priceTableSchema";
import { CostBaseError, parseBase } from "../cost/render";
import { formatOf, parseFlags, readInputFile, positionalHint, runCli, UsageError, writeOutput } from "./args";
import { costCommand } from "./commands";
import { fitText, reportTerminal } from "./terminal";
import { withHeldWarnings } from "./warnings";

runCli(
  async () => {
    const flags = parseFlags(process.argv.slice(2), costCommand);
    const stack = flags.values.stack?.[0];
    if (flags.positional.length > 0) throw new UsageError(positionalHint(flags.positional[0], "stack", "cost", process.env));
    if (!stack) throw new UsageError("--stack: required; e.g. npm run -s cost -- --stack prod");
    const format = formatOf(flags, ["text", "markdown", "json"] as const);
    const baseFile = flags.values.base?.[0];
    const baseText = baseFile === undefined ? undefined : readInputFile(`--base ${JSON.stringify(baseFile)}`, baseFile, "give a file written by npm run cost -- --format json");
    const base = baseText === undefined ? undefined : parseBase(baseText, baseFile!);

    // The program (and all of @pulumi/aws) loads only once the flags are known to be good.
    const { planStack, toPlanJson } = require("../offline/plan") as typeof import("../offline/plan");
    const { loadStackConfig } = require("../offline/stackFiles") as typeof import("../offline/stackFiles");
    const { parseStackConfig } = require("../../infra/parseConfig") as typeof import("../../infra/parseConfig");
    const { stackCostReport } = require("../cost/context") as typeof import("../cost/context");
    const render = require("../cost/render") as typeof import("../cost/render");

    const sets = flags.values.set ?? [];
    const config = parseStackConfig(loadStackConfig(stack, { set: sets }));
    const plan = await withHeldWarnings(flags.switches.has("verbose"), async (keep) => {
      const planned = await planStack(stack, { set: sets, printWarnings: false });
      keep(planned.warnings);
      return toPlanJson(planned);
    });
    const report = stackCostReport(stack, plan, config);
    const out = flags.values.out?.[0];
    // Text fits the terminal (a priced line too wide for it takes two lines); markdown is for GitHub, which wraps it.
    const terminal = reportTerminal(out !== undefined);
    const text =
      format === "json"
        ? render.renderJson(report)
        : format === "markdown"
          ? render.renderMarkdown(report, base)
          : `${fitText(render.renderText(report, base, terminal.columns).replace(/\n$/, ""), terminal)}\n`;
    writeOutput(text, out);
    if (report.notPriced.length > 0) {
      process.stderr.write(`not priced: ${report.notPriced.map((n) => n.type).join(", ")}; add a pricer (domain/cost/pricers) and its prices (domain/prices/aws.json)\n`);
      return 1;
    }
    return 0;
  },
  (err) => err instanceof StackConfigError || err instanceof StackFileError || err instanceof PriceTableError || err instanceof CostBaseError || err instanceof PriceLookupError,
  costCommand,
);
