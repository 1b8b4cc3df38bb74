/**
 * Interim flip, until the product's flip (the `patroni` helper's, #21 item 3) lands: what the
 * flip does through Patroni against the surviving region only. It lifts `nofailover` on the
 * candidate (a tagged member is never a switchover or failover candidate, citations P4), then
 * asks the candidate's REST API for a switchover (both regions answer) or a failover (the old
 * region is down; Patroni promotes the candidate once the old leader's key has expired), and
 * waits until the candidate answers `GET /primary` with 200
 * (https://patroni.readthedocs.io/en/latest/rest_api.html#switchover-and-failover-endpoints, P5)
 * and then until its PostgreSQL takes writes: Patroni 3.0.2 answers 200 as soon as it holds the
 * leader lock and has asked PostgreSQL to promote, while recovery still ends (seen here: 5 s
 * later, with the old region's S3 unreachable for restore_command).
 */
import type { PatroniLab } from "./lab";
import type { PatroniMember } from "./member";
import { waitFor } from "../postgres/pgbackrest";
import { takesWrites } from "./clients";

/** Runs the flip to `candidate`; `regionDown` when the old primary's region does not answer. */
export async function interimFlip(lab: PatroniLab, candidate: PatroniMember, options: { from: PatroniMember; regionDown?: boolean }): Promise<void> {
  await candidate.rewriteConfig((yaml) => yaml.replace(/nofailover: true/, "nofailover: false"));
  // The leader reads the candidate's tags from its member key in etcd, which the candidate
  // rewrites in its next HA loop: wait until the cluster view shows the tag lifted.
  await waitFor(`${candidate.name} to drop its nofailover tag`, 60_000, async () => {
    const answer = await candidate.rest("/cluster");
    if (answer.status !== 200) return false;
    const member = (JSON.parse(answer.body) as { members: { name: string; tags?: { nofailover?: boolean } }[] }).members.find((m) => m.name === candidate.name);
    return member !== undefined && member.tags?.nofailover !== true;
  }, 250);
  const body = options.regionDown ? { candidate: candidate.name } : { leader: options.from.name, candidate: candidate.name };
  const answer = await candidate.rest(options.regionDown ? "/failover" : "/switchover", { method: "POST", body, timeoutSeconds: 60 });
  // 503 "status unknown": Patroni stopped polling (after 2 x max(10, loop_wait) s) while the old leader's key had not expired yet.
  if (answer.status !== 200 && !(answer.status === 503 && /status unknown/.test(answer.body))) {
    throw new Error(`POST ${options.regionDown ? "/failover" : "/switchover"} to ${candidate.name}: ${answer.status} ${answer.body}`);
  }
  await lab.waitForRole(candidate, "primary", (lab.timings.ttl + 60) * 1000);
  await waitFor(`${candidate.name} to take writes`, 120_000, () => takesWrites(candidate.node), 100);
}
