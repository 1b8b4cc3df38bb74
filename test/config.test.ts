import { describe, expect, it } from "vitest";
import { parseStackConfig, StackConfigError } from "../infra/parseConfig";
import { listStacks, loadStackConfig, placeholderMark } from "../tools/offline/stackFiles";

function problemsFor(stack: string, set: string[]): string[] {
  try {
    parseStackConfig(loadStackConfig(stack, { set }));
  } catch (err) {
    if (err instanceof StackConfigError) return [...err.problems];
    throw err;
  }
  throw new Error(`config with ${set.join(" ")} was accepted`);
}

describe("stack files", () => {
  it("lists both stacks", () => {
    expect(listStacks()).toEqual(["dr", "prod"]);
  });

  it.each([
    ["prod", "us-east-1", "us-west-2", "us-east-2"],
    ["dr", "us-east-2", "us-west-1", "us-west-2"],
  ])("accepts %s with regions %s / %s, witness %s, and runbook defaults", (stack, primary, secondary, witness) => {
    const config = parseStackConfig(loadStackConfig(stack));
    expect(config.regions).toEqual({ primary, secondary, witness });
    expect(config.patroni).toEqual({ ttl: 30, loopWait: 10, retryTimeout: 10, restApiPort: 8008, automaticCrossRegionFailover: false, forceFailover: false });
    expect(config.etcd).toEqual({ heartbeatIntervalMs: 100, electionTimeoutMs: 1000, clientPort: 2379, peerPort: 2380 });
    expect(config.activeRegion).toBe("primary");
    expect(config.retention).toMatchObject({ fullDays: 30, incrementalDays: 7, walHours: 48, pitrHours: 24, logDays: 90 });
    expect(config.recovery).toEqual({ databaseRpoMinutes: 5, archiveTimeoutSeconds: 60 });
    expect(config.schedules).toEqual({ fullBackupTimeUtc: "02:00", incrementalEveryHours: 6, restoreTestDayOfMonth: 1, restoreTestTimeUtc: "04:00" });
  });

  it("stands in missing secrets with marked placeholders, as secrets", () => {
    const loaded = loadStackConfig("prod");
    expect(loaded.placeholders).toEqual(["databaseSecrets", "witnessSecrets"]);
    expect(loaded.engineSecretKeys).toEqual(["crazy-gary-dr:databaseSecrets", "crazy-gary-dr:witnessSecrets"]);
    expect(parseStackConfig(loaded).databaseSecrets.primary.adminPassword).toContain(placeholderMark);
  });
});

describe("bad config is refused with the key, the value and what is allowed", () => {
  it.each([
    ["empty region", ["regions.secondary=null"], "crazy-gary-dr:regions.secondary: null is not text; use an AWS region code, e.g. us-east-1"],
    ["same region twice", ["regions.secondary=us-east-1"], 'crazy-gary-dr:regions.secondary: "us-east-1" is the same as regions.primary'],
    ["unknown region code", ["regions.primary=us-east-9"], 'crazy-gary-dr:regions.primary: "us-east-9" is not an AWS region code; did you mean us-east-1 or us-east-2? (46 region codes in all)'],
    ["mistyped region code", ["regions.secondary=us-west2"], 'crazy-gary-dr:regions.secondary: "us-west2" is not an AWS region code; did you mean us-west-2? (46 region codes in all)'],
    ["region code like none", ["regions.secondary=mars"], 'crazy-gary-dr:regions.secondary: "mars" is not an AWS region code; use one of these 46:\n      af-south-1, ap-east-1,'],
    ["region code like none: the example is a likely region, not the list's first", ["regions.secondary=mars"], "us-isof-south-1; e.g. us-east-1"],
    ["mistyped checker region", ["healthCheck.checkerRegions=[us-east-1, us-west-2, euwest-1]"], 'crazy-gary-dr:healthCheck.checkerRegions.2: "euwest-1" is not a Route53 checker region; did you mean eu-west-1? (8 checker regions in all)'],
    ["mistyped key", ["retention.walHour=72"], "crazy-gary-dr:retention.walHour: is not a known key (given 72); did you mean walHours? allowed here: fullDays, incrementalDays, walHours, pitrHours, logDays, noncurrentVersionDays; e.g. retention.walHours: 72"],
    ["regionDown naming the active region", ["regionDown=primary"], 'crazy-gary-dr:regionDown: "primary" is the active region (activeRegion: primary); name the region you are failing over from, e.g. regionDown: secondary, or remove regionDown'],
    ["bad activeRegion", ["activeRegion=east"], 'crazy-gary-dr:activeRegion: "east" is not a region role; use primary or secondary'],
    ["threshold looser than the runbook", ["thresholds.api-latency-p95=2500"], "crazy-gary-dr:thresholds.api-latency-p95: 2500 is looser than the runbook's 2000 ms (Automated Rollback Triggers); use a value <= 2000"],
    ["cert warning later than the runbook", ["thresholds.cert-expiry=14"], "crazy-gary-dr:thresholds.cert-expiry: 14 is looser than the runbook's 30 days (Automated Rollback Triggers); use a value >= 30"],
    ["retention looser than the runbook", ["retention.walHours=12"], "crazy-gary-dr:retention.walHours: 12 is looser than the runbook's 48 h (Backup Types & Retention); use a value >= 48"],
    ["full-backup retention looser", ["retention.fullDays=14"], "crazy-gary-dr:retention.fullDays: 14 is looser than the runbook's 30 d (Backup Strategy); use a value >= 30"],
    ["RPO looser", ["recovery.archiveTimeoutSeconds=300"], "crazy-gary-dr:recovery.archiveTimeoutSeconds: 300 is looser than the runbook's 60 s (RPO/5) (Backup Types & Retention); use a value <= 60"],
    ["malformed schedule time", ["schedules.fullBackupTimeUtc=25:00"], 'crazy-gary-dr:schedules.fullBackupTimeUtc: "25:00" is not a UTC time of day; use HH:MM from 00:00 to 23:59'],
    ["incremental schedule not dividing a day", ["schedules.incrementalEveryHours=5"], "crazy-gary-dr:schedules.incrementalEveryHours: 5 does not divide a day; use 1, 2, 3, 4 or 6"],
    ["incremental schedule looser", ["schedules.incrementalEveryHours=12"], "crazy-gary-dr:schedules.incrementalEveryHours: 12 is looser than the runbook's 6 h (Backup Types & Retention); use a value <= 6"],
    ["plaintext where a secret is required", ["databaseSecrets.primary.adminPassword=correct-horse-battery"], "crazy-gary-dr:databaseSecrets.primary.adminPassword: [secret] was given in plain text; set it with `pulumi config set --secret --path 'databaseSecrets.primary.adminPassword' ...`"],
    ["secret-looking app setting, never echoed", ["app.STRIPE_SECRET=sk_live_1"], "crazy-gary-dr:app.STRIPE_SECRET: [secret] looks like a secret (its name contains SECRET and its value is text, not a number or true/false) and would be synced in plain text"],
    ["secret-looking value under a plain name", ["app.WELCOME_BANNER=sk_live_abcdef12"], "crazy-gary-dr:app.WELCOME_BANNER: [secret] looks like a secret (its value looks like an API token) and would be synced"],
    ["unknown key", ["retention.walDays=3"], "crazy-gary-dr:retention.walDays: is not a known key (given 3); allowed here: fullDays, incrementalDays, walHours, pitrHours, logDays, noncurrentVersionDays; e.g. retention.fullDays: 30"],
    ["too few health checkers", ["healthCheck.checkerRegions=[us-east-1, eu-west-1]"], "crazy-gary-dr:healthCheck.checkerRegions: [\"us-east-1\",\"eu-west-1\"] has fewer than 3 checker regions; Route53 needs at least 3"],
    ["witness region same as primary", ["regions.witness=us-east-1"], 'crazy-gary-dr:regions.witness: "us-east-1" is the same as regions.primary; use a third region so losing one region leaves etcd two of its three members'],
    ["witness region same as secondary", ["regions.witness=us-west-2"], 'crazy-gary-dr:regions.witness: "us-west-2" is the same as regions.secondary; use a third region'],
    ["mistyped witness region", ["regions.witness=us-east2"], 'crazy-gary-dr:regions.witness: "us-east2" is not an AWS region code; did you mean us-east-2?'],
    ["Patroni timing rule broken", ["patroni.retryTimeout=15"], "crazy-gary-dr:patroni.retryTimeout: 15 breaks the rule on patroni: loopWait + 2 x retryTimeout = 10 + 2 x 15 = 40 s is more than ttl 30 s; Patroni needs loop_wait + 2 x retry_timeout <= ttl: raise ttl (e.g. ttl: 40) or lower loopWait or retryTimeout"],
    ["Patroni ttl below its minimum", ["patroni.ttl=10", "patroni.loopWait=2", "patroni.retryTimeout=4"], "crazy-gary-dr:patroni.ttl: 10 is below Patroni's minimum; use 20 or more"],
    ["etcd election too short for the heartbeat", ["etcd.heartbeatIntervalMs=200", "etcd.electionTimeoutMs=900"], "crazy-gary-dr:etcd.electionTimeoutMs: 900 is less than 5 x heartbeatIntervalMs (1000); etcd refuses to start: use at least 1000, e.g. 2000 (10 x heartbeatIntervalMs)"],
    ["forceFailover without regionDown", ["patroni.forceFailover=true"], "crazy-gary-dr:patroni.forceFailover: true is true without regionDown; it only forces a failover away from a region that is down: set regionDown too (e.g. regionDown: secondary), or remove forceFailover"],
    ["bad subscription", ["alerts.P0=[{protocol: https, endpoint: http://example.com/hook}]"], "crazy-gary-dr:alerts.P0.0.endpoint: \"http://example.com/hook\" is not an https:// URL; use the subscriber's https:// address, e.g. https://events.crazy-gary.app/alerts"],
    ["follower account is prod's own", ['followerAccountIds=["123456789012"]'], 'crazy-gary-dr:followerAccountIds.0: "123456789012" is this stack\'s own account (accountId); list only other accounts: a follower in the same account needs no resource policy'],
    ["follower account listed twice", ['followerAccountIds=["210987654321", "210987654321"]'], 'crazy-gary-dr:followerAccountIds.1: "210987654321" is listed twice; list each account once'],
    ["follower account that is no account id", ['followerAccountIds=["dr"]'], 'crazy-gary-dr:followerAccountIds.0: "dr" is not an AWS account id; use the 12 digits in quotes, e.g. "210987654321"'],
  ])("%s", (_case, set, expected) => {
    expect(problemsFor("prod", set)).toEqual([expect.stringContaining(expected)]);
  });

  it("reports every problem at once", () => {
    const problems = problemsFor("dr", ["regions.primary=mars-1", "activeRegion=both", "retention.fullDays=7"]);
    expect(problems.map((p) => p.split(":").slice(0, 2).join(":"))).toEqual([
      "crazy-gary-dr:regions.primary",
      "crazy-gary-dr:activeRegion",
      "crazy-gary-dr:retention.fullDays",
    ]);
  });

  it("never shows a secret value in an error", () => {
    const secret = "hunter2-but-longer";
    const problems = problemsFor("prod", [`databaseSecrets.primary.adminPassword=${secret}`, "databaseSecrets.secondary.sshPrivateKey=not-a-key"]);
    expect(problems.join("\n")).not.toContain(secret);
    expect(problems.join("\n")).not.toContain("not-a-key");
    expect(problems).toContain("crazy-gary-dr:databaseSecrets.secondary.sshPrivateKey: [secret] is not a PEM private key; give the whole key file, e.g. the text of ~/.ssh/id_ed25519 (-----BEGIN OPENSSH PRIVATE KEY----- ...)");
  });
});
