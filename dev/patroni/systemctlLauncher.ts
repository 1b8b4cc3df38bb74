/**
 * `systemctl` for a lab member's host scripts when the stack's configure step is to start Patroni
 * itself (the first deploy's adoption): `enable --now patroni.service` starts Patroni with the
 * environment file configure-postgres.sh wrote (as Debian's unit reads its EnvironmentFile),
 * `is-active` says whether it runs, `reload` sends SIGHUP (the unit's ExecReload), `restart`
 * stops Patroni with SIGTERM (the unit's stop: KillMode=process), waits until it is gone and
 * starts it again with the environment file as it is now, and every call is recorded. Patroni then runs in the member's namespace as postgres; the lab's teardown
 * ends every process there by pid.
 */
import { join } from "node:path";
import { writeOwnedFile } from "../postgres/cluster";
import type { PatroniMember } from "./member";

/** Writes the launcher over the host's systemctl stand-in; returns the file its calls are recorded in. */
export async function installSystemctlLauncher(member: PatroniMember): Promise<string> {
  const dir = member.host.root;
  const calls = join(dir, "systemctl.calls");
  const pidFile = join(dir, "patroni.pid");
  await writeOwnedFile(calls, "", 0o644);
  await writeOwnedFile(
    join(member.host.aws.binDir, "systemctl"),
    [
      "#!/bin/bash",
      "# Test stand-in for systemctl: starts, reloads and reports Patroni as Debian's patroni.service would.",
      `printf '%s\\n' "$*" >> '${calls}'`,
      `running() { [[ -s '${pidFile}' ]] && kill -0 "$(cat '${pidFile}')" 2>/dev/null; }`,
      `start() { set -a; . '${member.host.params.paths!.patroniEnvFile!}'; set +a`,
      `  setsid patroni '${member.configFile}' >>'${join(dir, "patroni.log")}' 2>&1 < /dev/null & echo $! > '${pidFile}'; }`,
      'case "$1 ${*: -1}" in',
      '  "is-active patroni.service") running; exit $? ;;',
      '  "enable patroni.service") running && exit 0; start; exit 0 ;;',
      `  "restart patroni.service") if running; then pid=$(cat '${pidFile}'); kill -TERM "$pid"`,
      '    for _ in $(seq 1200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; fi',
      '    start; exit 0 ;;',
      `  "reload patroni.service") kill -HUP "$(cat '${pidFile}')"; exit $? ;;`,
      '  *) exit 0 ;;',
      "esac",
      "",
    ].join("\n"),
    0o755,
  );
  return calls;
}
