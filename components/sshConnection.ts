/**
 * The `@pulumi/command` remote connection of a host this stack configures over SSH (the database
 * hosts, the etcd witness): its address, user and port as given, its private key a Pulumi secret.
 */
import type * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { HostConnection } from "./databaseHost";

export const sshConnection = (connection: HostConnection): command.types.input.remote.ConnectionArgs => ({
  host: connection.host,
  user: connection.user,
  port: connection.port,
  privateKey: pulumi.secret(connection.privateKey),
});

/** How a remote command runs its script (read from stdin) as root: the SSH user needs password-less sudo. */
export const AS_ROOT = "sudo -n /bin/bash -s";
