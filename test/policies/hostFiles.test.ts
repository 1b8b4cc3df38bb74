import { describe, expect, it } from "vitest";
import { findPgbackrestConfigs, parsePgbackrestConfig, repositoryRetention, s3Repositories } from "../../policies/pgbackrest";
import { archivesWithPgbackrest, archiveTimeoutsSeconds } from "../../policies/postgresSettings";
import { dailyFiringMinutes, findBackupTimers, maxGapHours } from "../../policies/systemdCalendar";
import { splitDocuments } from "../../policies/stackView";
import { filesScript, pgbackrestConf, timerText } from "./fixtures";

describe("systemd OnCalendar", () => {
  it.each([
    [["*-*-* 02:00:00 UTC"], 24],
    [["*-*-* 00/6:00:00 UTC"], 6],
    [["*-*-* 00,06,12,18:00:00"], 6],
    [["*-*-* 02,20:00"], 18],
    [["daily"], 24],
    [["hourly"], 1],
    [["*:0/5"], 5 / 60],
    [["*-*-* 02:00:00 UTC", "*-*-* 14:00:00 UTC"], 12],
    [["Sun *-*-* 02:00:00 UTC"], Infinity],
    [["*-*-01 04:00:00 UTC"], Infinity],
    [["not a calendar"], Infinity],
    [[], Infinity],
  ])("%j runs at most %f h apart", (expressions, hours) => {
    expect(maxGapHours(expressions)).toBeCloseTo(hours, 6);
  });

  it("reads 0..12/3 as 0,3,6,9,12", () => {
    expect(dailyFiringMinutes("*-*-* 0..12/3:00")).toEqual([0, 180, 360, 540, 720]);
  });

  it("reads each unit of a text holding several unit files on its own", () => {
    const both = timerText("crazy-gary-backup-full", "*-*-* 02:00:00 UTC") + timerText("crazy-gary-heartbeat", "*-*-* *:*:00 UTC");
    expect(findBackupTimers([both])).toEqual([{ kind: "full", onCalendar: ["*-*-* 02:00:00 UTC"], maxGapHours: 24 }]);
  });

  it("finds backup timers by their unit and ignores the others", () => {
    const timers = findBackupTimers([timerText("crazy-gary-backup-full", "*-*-* 02:00:00 UTC"), timerText("crazy-gary-monitor", "*:0/5"), "no timer here"]);
    expect(timers).toEqual([{ kind: "full", onCalendar: ["*-*-* 02:00:00 UTC"], maxGapHours: 24 }]);
  });
});

describe("pgBackRest config", () => {
  it("reads both repositories (stanza section wins over global)", () => {
    const config = parsePgbackrestConfig(`${pgbackrestConf()}\n`.replace("[global]", "[global]\nrepo1-retention-full=5"));
    expect(s3Repositories(config)).toEqual([
      { index: 1, bucket: "crazy-gary-test-wal-us-east-1", region: "us-east-1", path: "pgbackrest" },
      { index: 2, bucket: "crazy-gary-test-wal-us-west-2", region: "us-west-2", path: "pgbackrest" },
    ]);
    expect(config.repositories.get(1)?.["retention-full"]).toBe("30");
  });

  it("finds the config inside a heredoc of a script, not in unrelated text", () => {
    const script = `#!/bin/bash\nset -euo pipefail\ncat > /etc/pgbackrest/pgbackrest.conf <<'EOF'\n${pgbackrestConf()}\nEOF\nchmod 0640 /etc/pgbackrest/pgbackrest.conf\n`;
    expect(findPgbackrestConfigs([script, "[global]\nno repositories"]).map((c) => c.repositories.size)).toEqual([2]);
  });

  it.each([
    [{ "retention-full-type": "time", "retention-full": "30" }, { fullRestorableHours: 720, backupKeptHours: 750, walKeptHours: 750 }],
    [{ "retention-full-type": "count", "retention-full": "31" }, { fullRestorableHours: 720, backupKeptHours: 744, walKeptHours: 744 }],
    [{ "retention-full": "2" }, { fullRestorableHours: 24, backupKeptHours: 48, walKeptHours: 48 }],
    [{ "retention-full-type": "time", "retention-full": "30", "retention-archive": "2" }, { fullRestorableHours: 720, backupKeptHours: 750, walKeptHours: 48 }],
    [{ "retention-full-type": "time", "retention-full": "30", "retention-archive": "4", "retention-archive-type": "incr" }, { fullRestorableHours: 720, backupKeptHours: 750, walKeptHours: 24 }],
  ])("retention %j keeps %j", (options, kept) => {
    expect(repositoryRetention(options, { fullHours: 24, incrementalHours: 6 }, 1)).toEqual({ ...kept, problems: [] });
  });

  it("names unreadable retention options", () => {
    expect(repositoryRetention({ "retention-full-type": "forever", "retention-full": "30" }, { fullHours: 24, incrementalHours: 6 }, 2).problems).toEqual([
      'repo2-retention-full-type is "forever", not time or count',
    ]);
  });
});

describe("documents in a script", () => {
  it("splits heredoc bodies out of a script, leaving heredocs nested in a written file alone", () => {
    const inner = "psql <<'SQL'\nSELECT 1;\nSQL";
    const script = filesScript({ "/a.conf": "[global]\nrepo1-type=s3", "/b.sh": inner });
    expect(splitDocuments(script)).toEqual([
      `set -euo pipefail\ncat >"$tmp" <<'FILE_EOF_0'\ninstall -m 0644 "$tmp" '/a.conf'\ncat >"$tmp" <<'FILE_EOF_1'\ninstall -m 0644 "$tmp" '/b.sh'`,
      "[global]\nrepo1-type=s3",
      inner,
    ]);
    expect(splitDocuments("read -r a <<<\"$x\"\necho done")).toEqual(["read -r a <<<\"$x\"\necho done"]);
  });
});

describe("PostgreSQL archiving settings", () => {
  it.each([
    ["DR_ARCHIVE_TIMEOUT_SECONDS=60", [60]],
    ["DR_ARCHIVE_TIMEOUT_SECONDS='60'", [60]],
    ["archive_timeout = '1min'", [60]],
    ["ALTER SYSTEM SET archive_timeout = '30s';", [30]],
    ["ALTER SYSTEM SET archive_timeout TO 45;", [45]],
    ["export ARCHIVE_TIMEOUT_MINUTES=2", [120]],
    ["ALTER SYSTEM SET archive_timeout = :'timeout';", []],
  ])("%s -> %j s", (text, seconds) => {
    expect(archiveTimeoutsSeconds([text])).toEqual(seconds);
  });

  it("recognises an archive_command running pgbackrest archive-push", () => {
    expect(archivesWithPgbackrest(['archive_command="pgbackrest --config=$C --stanza=$S archive-push %p"'])).toBe(true);
    expect(archivesWithPgbackrest(["archive_command = 'cp %p /mnt/wal/%f'"])).toBe(false);
  });
});
