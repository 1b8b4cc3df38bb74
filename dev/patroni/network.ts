/**
 * Three regions on one machine: a network namespace per region (primary, secondary, witness)
 * and a hub namespace whose bridge joins them through one veth pair each, all made by the test
 * under a prefix of its own (`cgpr-<random>-` by default). Every namespace is a separate network stack, so
 * each test file uses the same addresses (10.77.0.0/24) and fixed ports without clashing with
 * another file running beside it. {@link RegionNetwork.cut} sets a region's link down in the
 * hub: every packet between that region and the other two is dropped at once (a connect fails),
 * a real partition for etcd's Raft traffic, Patroni's REST calls and PostgreSQL streaming
 * (/work/shared/TOOLCHAIN.md "Patroni, etcd and network partitions").
 */
import { randomBytes } from "node:crypto";
import { runChecked, runCommand } from "../../tools/process/exec";

/** The three region roles of the Patroni cluster's etcd quorum. */
export const REGION_ROLES = ["primary", "secondary", "witness"] as const;
export type RegionRole = (typeof REGION_ROLES)[number];

/** The regions' shared subnet. */
export const REGION_SUBNET = "10.77.0.0/24";
/** Each region's address on {@link REGION_SUBNET} (one host per region). */
const REGION_ADDRESSES: Readonly<Record<RegionRole, string>> = { primary: "10.77.0.1", secondary: "10.77.0.2", witness: "10.77.0.3" };
const SHORT: Readonly<Record<RegionRole, string>> = { primary: "p", secondary: "s", witness: "w" };
/**
 * The prefix every namespace of this harness carries by default (`CG_NETNS_PREFIX` when set, so
 * whoever runs a test file can tell their namespaces apart); the random part keeps test files apart.
 */
export const NAMESPACE_PREFIX = process.env.CG_NETNS_PREFIX || "cgpr-";
/** A namespace prefix: 2-8 lower-case letters or digits and a "-". */
const PREFIX_FORMAT = /^[a-z0-9]{2,8}-$/;

/** The namespaces of one test: made by {@link create}, removed by {@link destroy}. */
export class RegionNetwork {
  private destroyed = false;

  private constructor(
    /** `<prefix><random>`: every namespace of this network starts with it. */
    readonly prefix: string,
  ) {}

  /**
   * Makes the hub (a bridge) and one namespace per region linked to it; loopback up everywhere.
   * @param prefix Start of every namespace's name, so whoever runs the tests can tell (and clean up) theirs. @default {@link NAMESPACE_PREFIX}
   */
  static async create(prefix: string = NAMESPACE_PREFIX): Promise<RegionNetwork> {
    if (!PREFIX_FORMAT.test(prefix)) throw new Error(`RegionNetwork: namespace prefix ${JSON.stringify(prefix)} is not allowed; use 2-8 lower-case letters or digits and a "-", e.g. "cgpr-"`);
    if (process.getuid?.() !== 0) throw new Error("RegionNetwork: network namespaces need root (run the postgres tests as root, as .ci/run does)");
    const network = new RegionNetwork(`${prefix}${randomBytes(3).toString("hex")}`);
    try {
      const hub = network.hubNamespace;
      await ip(["netns", "add", hub]);
      await ip(["-n", hub, "link", "set", "lo", "up"]);
      await ip(["-n", hub, "link", "add", "br0", "type", "bridge"]);
      await ip(["-n", hub, "link", "set", "br0", "up"]);
      for (const role of REGION_ROLES) {
        const ns = network.namespace(role);
        const hubSide = network.hubInterface(role);
        await ip(["netns", "add", ns]);
        await ip(["-n", ns, "link", "set", "lo", "up"]);
        // Made inside the region's namespace with its peer put straight into the hub: neither
        // name ever exists in the root namespace, where parallel tests would collide.
        await ip(["-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", hubSide, "netns", hub]);
        await ip(["-n", ns, "addr", "add", `${REGION_ADDRESSES[role]}/24`, "dev", "eth0"]);
        await ip(["-n", ns, "link", "set", "eth0", "up"]);
        await ip(["-n", hub, "link", "set", hubSide, "master", "br0"]);
        await ip(["-n", hub, "link", "set", hubSide, "up"]);
      }
    } catch (error) {
      await network.destroy();
      throw error;
    }
    return network;
  }

  /** The hub namespace (the bridge between regions). */
  get hubNamespace(): string {
    return `${this.prefix}-hub`;
  }

  /** The namespace of a region. */
  namespace(role: RegionRole): string {
    return `${this.prefix}-${SHORT[role]}`;
  }

  /** The region's address, reachable from the other regions while its link is up. */
  address(role: RegionRole): string {
    return REGION_ADDRESSES[role];
  }

  private hubInterface(role: RegionRole): string {
    return `h-${SHORT[role]}`;
  }

  /** Cuts the region off from the other two (its hub-side link down): traffic both ways is dropped. */
  async cut(role: RegionRole): Promise<void> {
    await ip(["-n", this.hubNamespace, "link", "set", this.hubInterface(role), "down"]);
  }

  /** Joins a cut region again. */
  async heal(role: RegionRole): Promise<void> {
    await ip(["-n", this.hubNamespace, "link", "set", this.hubInterface(role), "up"]);
  }

  /**
   * `[command, args]` that run `command args` inside the region's namespace, as `postgres`
   * when asked (the environment stays the caller's: give `HOME`): `ip netns exec` and `setpriv` both exec, so the pid of the spawned process is
   * the pid of the command itself (stopped by that pid, never by name).
   */
  wrap(role: RegionRole, command: string, args: readonly string[], asPostgres = false): [string, string[]] {
    const user = asPostgres ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"] : [];
    return ["ip", ["netns", "exec", this.namespace(role), ...user, command, ...args]];
  }

  /** Removes every namespace of this network (processes inside must be stopped first). Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const ns of [...REGION_ROLES.map((role) => this.namespace(role)), this.hubNamespace]) {
      await runCommand("ip", ["netns", "del", ns]);
    }
  }
}

async function ip(args: readonly string[]): Promise<void> {
  await runChecked("ip", args);
}
