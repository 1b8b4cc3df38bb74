/**
 * The stack's shape in plain values: the two region roles, the public hostnames, what an
 * endpoint is and where a database host is reached. Every layer speaks these types; the
 * config schema (infra/config.ts) parses stack config into them.
 */

/** The two regions of a stack, by role; which one is active is `activeRegion`. */
export const regionRoles = Object.freeze(["primary", "secondary"] as const);
export type RegionRole = (typeof regionRoles)[number];

/** A record with one value per region role, built by `make` in role order (primary, secondary). */
export function perRole<T>(make: (role: RegionRole) => T): Record<RegionRole, T> {
  return { primary: make("primary"), secondary: make("secondary") };
}

/** The other region role. */
export const otherRole = (role: RegionRole): RegionRole => (role === "primary" ? "secondary" : "primary");

/** The public hostnames under the stack's DNS zone (`api.<zone>`, `app.<zone>`). */
export const hostnameKeys = Object.freeze(["api", "app"] as const);
export type HostnameKey = (typeof hostnameKeys)[number];

/**
 * Where a hostname is served in one region: a DNS name (CNAME failover records) or a load
 * balancer (alias A failover records).
 */
export type Endpoint =
  | { hostname: string }
  | {
      loadBalancer: {
        /** The load balancer's DNS name. */
        dnsName: string;
        /** The load balancer's canonical hosted-zone id, e.g. `Z35SXDOTRQ7X7K`. */
        zoneId: string;
      };
    };

/** How `pulumi up` reaches one region's PostgreSQL host (over SSH, and over TCP for roles). */
export interface DatabaseHostAddress {
  /** SSH address of the host. */
  sshHost: string;
  /** SSH user. */
  sshUser: string;
  /** SSH port. */
  sshPort: number;
  /** PostgreSQL address as seen from where `pulumi up` runs. */
  pgHost: string;
  /** PostgreSQL port. */
  pgPort: number;
  /** The application database. */
  database: string;
  /** The superuser `pulumi up` connects as. */
  adminUser: string;
  /** PostgreSQL data directory on the host. */
  dataDirectory: string;
}

/** Settings that tighten the runbook's alarm thresholds and recovery point. */
export interface RecoverySettings {
  /** Database RPO in minutes (at most the runbook's). */
  databaseRpoMinutes: number;
  /** PostgreSQL `archive_timeout` in seconds (at most RPO/5). */
  archiveTimeoutSeconds: number;
}
