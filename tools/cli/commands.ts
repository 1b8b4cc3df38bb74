/**
 * The command-line tools' flags, in one table each: the parser reads it and `--help` prints it.
 * One argument style everywhere: a stack is always `--stack NAME` (config:diff also takes
 * `--base NAME`); output to a file is always `--out FILE`.
 */
import type { CommandSpec, FlagHelp } from "./args";

const stackFlag = (help: string): FlagHelp => ({ name: "stack", value: "NAME", help });
const setFlag: FlagHelp = {
  name: "set",
  value: "KEY=VALUE",
  repeatable: true,
  help: "override one config key for this run (dotted path, without the project prefix), e.g. activeRegion=secondary",
};
const outFlag = (what: string): FlagHelp => ({
  name: "out",
  value: "FILE",
  help: `write ${what} to FILE instead of stdout (safe from npm's banner); a relative FILE is taken from the folder npm was run in`,
});
/** Every tool that plans a stack prints the program's warnings once each (tools/cli/warnings.ts); this prints them all. */
const verboseFlag: FlagHelp = { name: "verbose", help: "print every warning of the program as it came (default: each once, with a count)" };
const formatFlag = (formats: readonly string[], help: string): FlagHelp => ({ name: "format", value: formats.join("|"), help: `report format: ${help} (default ${formats[0]})` });

export const planCommand: CommandSpec = {
  command: "plan",
  summary: "What a stack would create, evaluated offline from its stack files with the Pulumi SDK's mock engine (no cloud, no CLI, no credentials).",
  flags: [
    stackFlag("the stack to plan (a Pulumi.NAME.yaml beside Pulumi.yaml); required"),
    setFlag,
    formatFlag(
      ["text", "json", "markdown"],
      "text for a terminal; json (resources with inputs and options, outputs; secrets as [secret]) for `policy --plan`, `plan --diff --base` and scripts; markdown for a CI summary or pull-request comment",
    ),
    {
      name: "diff",
      help: "compare the plan from the stack files with the plan under the --set overrides: each resource to update, replace, create or delete, and the Route 53 check of every DNS state on the way",
    },
    {
      name: "base",
      value: "FILE",
      help: "with --diff: compare a saved plan (`--out FILE` of the base branch, e.g. made in a git worktree of main) with this checkout's plan, instead of the stack files",
    },
    {
      name: "detailed-exitcode",
      help: "with --diff: exit 0 when nothing changes, 2 when something does, 3 when a stateful resource would be replaced or deleted, 1 on any error (Terraform's -detailed-exitcode plus 3)",
    },
    { name: "filter", value: "TEXT", help: "show only the resources whose type or name contains TEXT (any case), e.g. MetricAlarm, route53 or alarms-api; the table only" },
    verboseFlag,
    outFlag("the plan or diff, as JSON unless --format says otherwise (the file `policy --plan` and `plan --diff --base` read)"),
  ],
  examples: [
    "npm run -s plan -- --stack prod",
    "npm run -s plan -- --stack prod --filter route53",
    "npm run -s plan -- --stack prod --set activeRegion=secondary",
    "npm run -s plan -- --stack prod --set activeRegion=secondary --diff",
    "npm run -s plan -- --stack prod --diff --base ../main-checkout/prod.json",
    "npm run -s plan -- --stack prod --set activeRegion=secondary --diff --detailed-exitcode",
    "npm run -s plan -- --stack prod --set activeRegion=secondary --diff --verbose",
    "npm run -s plan -- --stack dr --out dr.json",
    "npm run -s plan -- --stack dr --format json > dr.json",
    "npm run -s plan -- --stack prod --set activeRegion=secondary --diff --format markdown --out flip.md",
  ],
  exitCodes: [
    "0  the plan was printed (with --detailed-exitcode: the diff has no changes)",
    "2  a usage or configuration mistake (the message names the key and the fix); nothing was planned (with --detailed-exitcode: the diff has changes)",
    "3  with --detailed-exitcode only: a stateful resource (domain/statefulTypes.json) would be replaced or deleted",
    "1  anything else (a bug: the stack trace follows); with --detailed-exitcode, also a usage or configuration mistake",
  ],
  retiredFlags: { json: "give --format json instead (one flag for every tool), e.g. npm run -s plan -- --stack prod --format json" },
};

export const policyCommand: CommandSpec = {
  command: "policy",
  summary: "Runs the CrossGuard pack's own policies over the offline plan of a stack, or over a saved plan file, in-process (no Pulumi CLI).",
  flags: [
    stackFlag("plan this stack offline and check it (give --stack or --plan)"),
    setFlag,
    { name: "plan", value: "FILE", help: "check a saved plan (from `npm run -s plan -- --stack NAME --out FILE`) instead of planning" },
    { name: "config", value: "FILE", help: "policy pack config as JSON, as `pulumi preview --policy-pack-config` takes it; every entry must name a policy" },
    formatFlag(["text", "json", "markdown"], "text for a terminal, json ({title, stack, set, outcomes: [{policy, enforcementLevel, violations}]}) for scripts, markdown for a CI job summary or PR comment"),
    { name: "max-chars", value: "N", help: "cut the report to N characters (>= 500), saying how much was left out" },
    verboseFlag,
    outFlag("the report"),
  ],
  examples: [
    "npm run -s policy -- --stack prod",
    "npm run -s policy -- --stack prod --set retention.walHours=72 --verbose",
    "npm run -s policy -- --plan dr.json --config policy-config.json",
    "npm run -s policy -- --stack prod --format json --out policy-prod.json",
    "npm run -s policy -- --stack dr --format markdown --max-chars 60000 --out report.md",
  ],
  exitCodes: ["0  no mandatory policy is violated", "1  a mandatory policy is violated (each violation names the resource URN)", "2  a usage or configuration mistake; nothing was checked"],
};

export const configDiffCommand: CommandSpec = {
  command: "config:diff",
  summary:
    "Per config key, a stack's effective value beside a base stack's (secrets as [secret]), marked shared, overridden (with its reason) or environment-only, from the stack files alone.",
  flags: [
    stackFlag("the stack to compare; required"),
    { name: "base", value: "NAME", help: "the stack to compare against (default: the stack it follows, its sync.source)" },
    { name: "dir", value: "FOLDER", help: "the folder holding Pulumi.yaml and the stack files (default: this repository)" },
    outFlag("the report"),
  ],
  examples: ["npm run -s config:diff -- --stack dr", "npm run -s config:diff -- --stack dr --base prod", "npm run -s config:diff -- --stack dr --dir ../other-checkout --out drift.txt"],
  exitCodes: ["0  no drift", "1  a key that must be shared differs without a sync.overrides entry", "2  a usage or configuration mistake"],
};

export const benchCommand: CommandSpec = {
  command: "bench",
  summary:
    "Wall time and CPU seconds of `npm run plan` per stack from its fresh bundle, without Node's compile cache (Node 22.1+), right after a rebuild and from the TypeScript sources, with the load average; then npm ci's prepare step, the lines of start-up code, and each part of `npm test`. It says what it will run first and prints each figure as it comes.",
  flags: [
    { name: "runs", value: "N", help: "rounds of each kind of plan per stack (default 3; the median and the maximum are printed)" },
    { name: "skip-tests", help: "time the plans only (about 1 min); without it the test suite runs too (several minutes)" },
    { name: "node", value: "PATH", help: "run npm and the plans with this Node (a binary or its folder), e.g. to compare Node 20, 22 and 24 (default: the node on PATH)" },
  ],
  examples: ["npm run -s bench -- --skip-tests", "npm run -s bench -- --runs 3", "npm run -s bench -- --skip-tests --node ~/node-v24/bin"],
  exitCodes: ["0  figures printed (nothing is asserted)", "2  a usage mistake", "1  a timed command failed"],
};

const benchExitCodes = ["0  figures printed (a figure that misses its goal says so)", "2  a usage mistake; nothing ran", "1  a run failed or lost a commit (the message says which)"];

export const benchRecoveryCommand: CommandSpec = {
  command: "bench:recovery",
  summary:
    "Benchmark on real PostgreSQL 15 + pgBackRest 2.45: pgBackRest restore + WAL replay of databases of the given sizes (the restore line readiness uses), the runbook's gunzip | psql at the smallest size, and the RPO loss window after kill -9 under a write load. Prints every run with the load average; writes docs/measurements.json.",
  flags: [
    { name: "sizes", value: "SIZES", help: "database sizes to restore, comma-separated, binary multiples, each >= 10MB (default 1GB,4GB)" },
    { name: "size", value: "SIZE", help: "one size (the same as --sizes with one value)" },
    { name: "rounds", value: "N", help: "restores per size, 1 to 20 (default 3; the median is recorded)" },
    { name: "load-seconds", value: "S", help: "seconds of steady writes before the kill -9, >= 10 (default 150, 2.5 archive timeouts)" },
    { name: "measurements", value: "FILE", help: "where the figures go (default docs/measurements.json, which readiness reads)" },
  ],
  examples: ["npm run -s bench:recovery -- --sizes 1GB,4GB --rounds 3", "npm run -s bench:recovery -- --size 200MB --rounds 1 --load-seconds 30 --measurements /tmp/figures.json"],
  exitCodes: benchExitCodes,
};

export const benchPromotionCommand: CommandSpec = {
  command: "bench:promotion",
  summary:
    "Benchmark on real etcd 3.4, Patroni 3.0.2 and PostgreSQL 15 in three network namespaces: a planned switchover under load there and back (commits lost, goal 0; write unavailability, goal <= 10 s), then a partition of the primary's region (time to demotion, goal <= ttl, and to writes on the candidate). Records the slowest switchover in docs/measurements.json.",
  flags: [],
  examples: ["npm run -s bench:promotion"],
  exitCodes: benchExitCodes,
};

export const benchWalOutageCommand: CommandSpec = {
  command: "bench:wal-outage",
  summary:
    "Benchmark on real PostgreSQL 15 + pgBackRest 2.45 with both repositories on S3 (s3rver over TLS): us-east-1's S3 stopped while the primary writes; every 30 s the WAL queue, pg_wal's size and how far the other repository is behind; then how long the queue takes to drain once S3 is back.",
  flags: [
    { name: "minutes", value: "N", help: "how long us-east-1's S3 stays down, >= 1 (default 5)" },
    { name: "rate", value: "N", help: "WAL segments the primary completes per minute, more than 0 and at most 20 (default 2)" },
  ],
  examples: ["npm run -s bench:wal-outage -- --minutes 5 --rate 2"],
  exitCodes: benchExitCodes,
};

export const prCommentCommand: CommandSpec = {
  command: "pr-comment",
  summary:
    "Assembles one pull-request comment from report files (offline diff, policy report, readiness report) under GitHub's 65,536-character limit: whole when it fits, else each report cut to whole lines with a marker and a link to the full artifact.",
  flags: [
    { name: "section", value: "TITLE=FILE", repeatable: true, help: "a report, in the order given; FILE ending in .md is markdown, any other is shown as a code block; required" },
    { name: "heading", value: "TEXT", help: "the comment's heading (default: Preview)" },
    { name: "marker", value: "ID", help: "hidden first line <!-- ID --> that finds the comment again for an update (default: crazy-gary-preview)" },
    { name: "max-chars", value: "N", help: "upper bound of the comment's length, >= 1000 (default 65536, GitHub's limit)" },
    { name: "artifact-url", value: "URL", help: "where the full reports are (actions/upload-artifact's artifact-url output); linked when anything is cut" },
    outFlag("the comment body"),
  ],
  examples: [
    'npm run -s pr-comment -- --section "Offline diff against main=reports/diff-prod.txt" --section "Policy report=reports/policy-prod.md" --out comment.md',
    'npm run -s pr-comment -- --marker crazy-gary-preview:prod --heading "Preview: prod" --section "Readiness=reports/readiness-prod.md" --max-chars 65536 --artifact-url https://github.com/o/r/actions/runs/1/artifacts/2',
  ],
  exitCodes: ["0  the comment was written", "2  a usage mistake (a missing file, a bad --max-chars); nothing was written"],
};

export const policyPackCommand: CommandSpec = {
  command: "policy:pack",
  summary:
    "Writes the policy pack as one self-contained folder for `pulumi policy publish`: the policies, the domain/ modules they import (imports rewritten), and a package.json with the pinned dependencies.",
  flags: [{ name: "out", value: "DIR", help: "the folder to write (new or empty); required" }],
  examples: ["npm run -s policy:pack -- --out dist/policy-pack", "cd dist/policy-pack && npm install && pulumi policy publish crazy-gary"],
  exitCodes: ["0  the pack was written", "2  a usage mistake (the folder is not empty, --out missing); nothing was written"],
};

export const deployGuardCommand: CommandSpec = {
  command: "deploy:guard",
  summary:
    "Before an ordinary deploy's `pulumi up`: refuses a commit whose activeRegion differs from the region of Patroni's leader (a failover ran after the commit was made), or when Patroni has no leader, so a deploy never fails back by accident. Reads Patroni, never a stack output (pulumi/pulumi#16289).",
  flags: [
    stackFlag("the stack about to be updated; required"),
    { name: "cluster", value: "FILE", help: "Patroni's GET /cluster body (`-` for stdin), from any member that reaches the etcd quorum; this or --never-deployed is required" },
    { name: "never-deployed", help: "the stack was never updated (no Patroni cluster yet)" },
  ],
  examples: ['tools/ci/patroni-cluster.sh "$STACK" primary secondary | npm run -s deploy:guard -- --stack prod --cluster -', "npm run -s deploy:guard -- --stack dr --never-deployed"],
  exitCodes: ["0  the deploy keeps the active region", "1  the deploy would change the active region, or Patroni has no leader (the message says what to do)", "2  a usage mistake, or a body that is not Patroni's GET /cluster"],
};

export const simulateCommand: CommandSpec = {
  command: "simulate",
  summary:
    "Simulates `pulumi up` of a stack's offline plan during an outage, the way the engine deploys it: each step succeeded, failed or skipped; then the writable primary, where DNS answers, each region's active-region parameter, and what the next deploy from git would do. --scenarios runs every failure scenario of issue #22, one verdict line each.",
  flags: [
    stackFlag("the stack to simulate; required unless --scenarios (then: only this stack's scenarios)"),
    setFlag,
    {
      name: "down",
      value: "WHAT",
      repeatable: true,
      help: "what is down, comma-separated: a region code (everything in it), REGION:control (its control planes; us-east-1's take Route53's and IAM's), route53-control, iam-control; default nothing",
    },
    { name: "continue-on-error", help: "deploy as `pulumi up --continue-on-error` (the failover workflow always does): a failed step's dependents are skipped, the rest goes on" },
    { name: "scenarios", help: "run every scenario (planned flip, each region down, us-east-1's control planes down, a partial failure then a rerun) for every stack, or for --stack; one verdict line each" },
    formatFlag(["text", "json"], "text for a terminal, json for scripts"),
    verboseFlag,
    outFlag("the report"),
  ],
  examples: [
    "npm run -s simulate -- --stack prod --set activeRegion=secondary",
    "npm run -s simulate -- --stack prod --set activeRegion=secondary --set regionDown=primary --down us-east-1 --continue-on-error",
    "npm run -s simulate -- --stack prod --set activeRegion=secondary --down us-east-1:control --verbose",
    "npm run -s simulate -- --scenarios",
    "npm run -s simulate -- --scenarios --stack dr --format json --out dr-scenarios.json",
  ],
  exitCodes: [
    "0  every verdict passed (exactly one writable primary where activeRegion says, DNS answers it within budget, no flip-back)",
    "1  a verdict failed (the report says which check and why)",
    "2  a usage or configuration mistake; nothing was simulated",
  ],
};

export const costCommand: CommandSpec = {
  command: "cost",
  summary:
    "The monthly USD cost of a stack from its offline plan (the same evaluation as npm run plan) and the committed price table (domain/prices/aws.json): every line with its quantity, unit price, monthly figure and price source, grouped by component and by resource type; the total and the standby region's share (what DR itself costs).",
  flags: [
    stackFlag("the stack to price (a Pulumi.NAME.yaml beside Pulumi.yaml); required"),
    setFlag,
    formatFlag(["text", "markdown", "json"], "text for a terminal, markdown for a CI summary or pull-request comment, json for a later --base"),
    { name: "base", value: "FILE", help: "a report of the base branch (`--format json`, e.g. made in a git worktree of main): the report then shows before, after and the change; a relative FILE is taken from the folder npm was run in" },
    verboseFlag,
    outFlag("the report"),
  ],
  examples: [
    "npm run -s cost -- --stack prod",
    "npm run -s cost -- --stack dr --set cost.walGiBPerDay=5 --verbose",
    "npm run -s cost -- --stack prod --format markdown",
    "npm run -s cost -- --stack prod --format json --out cost-prod.json",
    "npm run -s cost -- --stack prod --format markdown --base ../main-checkout/cost-prod.json --out cost-prod.md",
  ],
  exitCodes: [
    "0  the report was written",
    "1  an AWS resource type of the plan has no price (the report names it under \"Not priced\"), or a bug (a stack trace follows)",
    "2  a usage or configuration mistake (the message names the key and the fix); nothing was priced",
  ],
};

export const flipStateCommand: CommandSpec = {
  command: "flip:state",
  summary:
    "For the failover workflow: `--describe` prints what a flip to --target works with (the target region, the hosts it may ask), one key=value per line for $GITHUB_OUTPUT; `--cluster` says whether the flip is done: the target's Patroni member is the running leader, nothing pending. Reads Patroni, never a stack output (pulumi/pulumi#16289).",
  flags: [
    stackFlag("the stack being flipped; required"),
    { name: "target", value: "ROLE", help: "the region role made active (primary or secondary); required" },
    { name: "cluster", value: "FILE", help: "Patroni's GET /cluster body (`-` for stdin), asked of the target region's member" },
    { name: "describe", help: "print target_region, target_ssh, target_ssh_port, each hostname's target endpoint (endpoint_api, endpoint_app), dns_zone and dns_budget_seconds, key=value" },
  ],
  examples: ["npm run -s flip:state -- --stack prod --target secondary --describe", "tools/ci/patroni-cluster.sh prod secondary | npm run -s flip:state -- --stack prod --target secondary --cluster -"],
  exitCodes: ["0  described, or the flip is done", "1  the flip is not done (the message says what Patroni reports)", "2  a usage mistake, or a body that is not Patroni's GET /cluster"],
};

export const readinessCommand: CommandSpec = {
  command: "readiness",
  summary:
    "Before a deploy: whether what the stack declares meets each recovery objective of the runbook (mechanism, budget, margin, verdict per objective), from the offline plan and the measured figures in docs/measurements.json.",
  flags: [
    stackFlag("the stack to judge; required"),
    setFlag,
    formatFlag(["text", "json", "markdown"], "text for a terminal, json for a later --base, markdown for a CI summary or pull-request comment"),
    { name: "base", value: "FILE", help: "a report of the base branch (`--format json`): every margin this change worsened is listed first" },
    { name: "measurements", value: "FILE", help: "the measured figures (default docs/measurements.json)" },
    { name: "database-size", value: "SIZE", help: "size of the database a restore must bring back (e.g. 40GB); its restore time is predicted from the two sizes bench:recovery measured" },
    verboseFlag,
    outFlag("the report"),
  ],
  examples: [
    "npm run -s readiness -- --stack prod",
    "npm run -s readiness -- --stack prod --set schedules.incrementalEveryHours=4 --verbose",
    "npm run -s readiness -- --stack prod --format json --out readiness-prod.json",
    "npm run -s readiness -- --stack prod --format markdown --base ../main-checkout/readiness-prod.json",
    "npm run -s readiness -- --stack dr --measurements my-measurements.json --database-size 40GB",
  ],
  exitCodes: ["0  no objective is not met", "1  an objective is not met (named on stderr)", "2  a usage or configuration mistake; nothing was judged"],
  retiredFlags: { markdown: "give --format markdown instead (one flag for every tool), e.g. npm run -s readiness -- --stack prod --format markdown" },
};

export const drillCommand: CommandSpec = {
  command: "drill",
  summary:
    "The runbook's drills, as one of four commands: `target` says which drill and stack a run is (drill=, stack= lines for $GITHUB_OUTPUT); `run` flips the stack to its secondary and back, timing each phase, and writes <DIR>/drill-<id>.json and .md; `record` keeps the outcome in docs/measurements.json; `age` publishes DrDrillAgeDays. Prod only with the typed confirmation.",
  subcommands: ["target", "run", "record", "age"],
  flags: [
    { name: "schedule", value: "CRON", help: "target: the cron that started the run; picks the drill and its stack" },
    { name: "drill", value: "ID", help: "the drill: quarterly-dr-simulation, semi-annual-failover-test or annual-bc-test; required by run and record" },
    stackFlag("dr (default) or prod (with --confirm); required by record and age"),
    { name: "confirm", value: "TEXT", help: 'with --stack prod: type "drill prod"' },
    { name: "org", value: "ORG", help: "run: the Pulumi organisation of the stack (default crazy-gary)" },
    { name: "where", value: "URL", help: "run, record: where the drill ran (a workflow run's URL; default: run by hand)" },
    { name: "report-dir", value: "DIR", help: "run: the folder for drill-<id>.json and .md (default reports)" },
    { name: "outcome", value: "passed|failed", help: "record: the drill's outcome; required by record" },
    { name: "report", value: "FILE", help: "record: the drill-<id>.json run wrote; its measured times are recorded too" },
    { name: "measurements", value: "FILE", help: "the measured figures (default docs/measurements.json)" },
    { name: "poll-ms", value: "N", help: "run: how often each phase is checked, in milliseconds" },
    { name: "ssl-mode", value: "MODE", help: "run: libpq sslmode of the write probe (e.g. require, verify-full)" },
    { name: "flip-seconds", value: "N", help: "run: deadline of the flip, in seconds" },
    { name: "dns-seconds", value: "N", help: "run: deadline for DNS to answer the new region, in seconds" },
    { name: "write-seconds", value: "N", help: "run: deadline for the first write in the new region, in seconds" },
    { name: "flip-back-seconds", value: "N", help: "run: deadline of the flip back, in seconds" },
  ],
  examples: [
    'npm run -s drill -- target --schedule "0 6 15 3 *"',
    'npm run -s drill -- target --drill annual-bc-test --stack prod --confirm "drill prod"',
    "npm run -s drill -- run --drill quarterly-dr-simulation --stack dr --org crazy-gary --where https://github.com/o/r/actions/runs/1 --report-dir reports",
    "npm run -s drill -- run --drill quarterly-dr-simulation --poll-ms 2000 --ssl-mode verify-full --flip-seconds 600 --dns-seconds 300 --write-seconds 120 --flip-back-seconds 600",
    "npm run -s drill -- record --drill quarterly-dr-simulation --stack dr --outcome passed --where https://github.com/o/r/actions/runs/1 --report reports/drill-quarterly-dr-simulation.json",
    "npm run -s drill -- age --stack dr --measurements docs/measurements.json",
  ],
  exitCodes: ["0  done (run: the drill passed)", "1  run: the drill failed or did not start (the report says why)", "2  a usage mistake (prod without the confirmation is refused before anything is called)"],
};

export const docsCommand: CommandSpec = {
  command: "docs",
  summary:
    "Writes docs/reference/ (config, alarms, metric contract, policies, cost) from the code, and every excerpt of real output in README.md and docs/ (between <!-- npm run docs runs: COMMAND --> and <!-- end of generated excerpt -->) by running its command, and the saved `pulumi preview --json` files the failover guard is tested on (test/fixtures/preview-*.json) from today's plans. The same code gives byte-identical files; test/docs.test.ts, test/previewFixtures.test.ts and test/processes/docsExcerpts.test.ts compare them with the committed ones.",
  flags: [],
  examples: ["npm run -s docs"],
  exitCodes: ["0  the files were written", "2  a usage mistake (it takes no flags); nothing was written", "1  anything else (a bug: the stack trace follows)"],
};

export const commands: readonly CommandSpec[] = [
  planCommand,
  policyCommand,
  configDiffCommand,
  readinessCommand,
  drillCommand,
  benchCommand,
  benchRecoveryCommand,
  benchPromotionCommand,
  benchWalOutageCommand,
  policyPackCommand,
  deployGuardCommand,
  flipStateCommand,
  prCommentCommand,
  simulateCommand,
  costCommand,
  docsCommand,
];
