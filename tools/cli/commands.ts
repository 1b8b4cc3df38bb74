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
const outFlag = (what: string): FlagHelp => ({ name: "out", value: "FILE", help: `write ${what} to FILE instead of stdout (safe from npm's banner)` });

export const planCommand: CommandSpec = {
  command: "plan",
  summary: "What a stack would create, evaluated offline from its stack files with the Pulumi SDK's mock engine (no cloud, no CLI, no credentials).",
  flags: [
    stackFlag("the stack to plan (a Pulumi.NAME.yaml beside Pulumi.yaml); required"),
    setFlag,
    { name: "json", help: "print the plan as JSON (resources with inputs and options, outputs; secrets as [secret]) instead of the table" },
    {
      name: "diff",
      help: "compare the plan from the stack files with the plan under the --set overrides: each resource to update, replace, create or delete, and the Route 53 check of every DNS state on the way",
    },
    outFlag("the JSON plan or diff (implies --json)"),
  ],
  examples: [
    "npm run -s plan -- --stack prod",
    "npm run -s plan -- --stack prod --set activeRegion=secondary",
    "npm run -s plan -- --stack prod --set activeRegion=secondary --diff",
    "npm run -s plan -- --stack dr --out dr.json",
    "npm run -s plan -- --stack dr --json > dr.json",
  ],
  exitCodes: ["0  the plan was printed", "2  a usage or configuration mistake (the message names the key and the fix); nothing was planned", "1  anything else (a bug: the stack trace follows)"],
};

export const policyCommand: CommandSpec = {
  command: "policy",
  summary: "Runs the CrossGuard pack's own policies over the offline plan of a stack, or over a saved plan file, in-process (no Pulumi CLI).",
  flags: [
    stackFlag("plan this stack offline and check it (give --stack or --plan)"),
    setFlag,
    { name: "plan", value: "FILE", help: "check a saved plan (from `npm run -s plan -- --stack NAME --out FILE`) instead of planning" },
    { name: "config", value: "FILE", help: "policy pack config as JSON, as `pulumi preview --policy-pack-config` takes it; every entry must name a policy" },
    { name: "format", value: "text|markdown", help: "report format; markdown is for a CI job summary or PR comment (default text)" },
    { name: "max-chars", value: "N", help: "cut the report to N characters (>= 500), saying how much was left out" },
    outFlag("the report"),
  ],
  examples: [
    "npm run -s policy -- --stack prod",
    "npm run -s policy -- --stack prod --set retention.walHours=72",
    "npm run -s policy -- --plan dr.json --config policy-config.json",
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
  summary: "Wall time of the offline plan per stack (a cold process each run), then of each part of `npm test`. It says what it will run first and prints each figure as it comes.",
  flags: [
    { name: "runs", value: "N", help: "cold plan runs per stack (default 5; the median and the maximum are printed)" },
    { name: "skip-tests", help: "time the plans only (about 30 s); without it the test suite runs too (several minutes)" },
  ],
  examples: ["npm run -s bench -- --skip-tests", "npm run -s bench -- --runs 3"],
  exitCodes: ["0  figures printed (nothing is asserted)", "2  a usage mistake", "1  a timed command failed"],
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
    "Before an ordinary deploy's `pulumi up`: refuses a commit whose activeRegion differs from the stack's last deployed one (a failover ran after the commit was made), so a deploy never fails back by accident.",
  flags: [
    stackFlag("the stack about to be updated; required"),
    { name: "deployed", value: "ROLE", help: 'the stack\'s activeRegionRole output (`pulumi stack output activeRegionRole`); "" for a stack never updated; required' },
  ],
  examples: ['npm run -s deploy:guard -- --stack prod --deployed "$(pulumi stack output activeRegionRole --stack crazy-gary/prod)"', "npm run -s deploy:guard -- --stack dr --deployed primary"],
  exitCodes: ["0  the deploy keeps the active region", "1  the deploy would change the active region (the message says how to rebase or fail over)", "2  a usage mistake"],
};

export const commands: readonly CommandSpec[] = [planCommand, policyCommand, configDiffCommand, benchCommand, policyPackCommand, deployGuardCommand];
