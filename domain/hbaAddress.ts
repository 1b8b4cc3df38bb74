/**
 * An address a pg_hba.conf line accepts connections from, as this stack writes them: "all", or
 * an IPv4 or IPv6 CIDR (https://www.postgresql.org/docs/15/auth-pg-hba-conf.html, "address").
 * Host names are left out on purpose: PostgreSQL resolves them on every connection.
 */
export const HBA_ADDRESS = /^(all|\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

/** What an address that is not {@link HBA_ADDRESS} should be. */
export const hbaAddressFix = 'use a CIDR or "all", e.g. 10.1.0.0/16';
