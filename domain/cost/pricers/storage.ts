/**
 * S3 (the WAL archive buckets: storage by the lifecycle the plan declares, and the WAL pushes)
 * and AWS Backup for S3 (the locked copy: warm storage in each vault and the cross-region copy).
 * Pricing: https://aws.amazon.com/s3/pricing/, https://aws.amazon.com/backup/pricing/.
 */
import type { LineDraft, Pricer, PlannedResource, PricingContext } from "../context";
import { inputOf, siblingsOf } from "../context";
import { backupStoredGiB, repositoryGiBWrittenPerDay, walSegmentsPerDay, walStoredGiB, type BucketHorizons } from "../usage";

const lifecycleType = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
export const bucketType = "aws:s3/bucket:Bucket";

interface LifecycleRule {
  status?: string;
  filter?: { prefix?: string };
  expiration?: { days?: number };
  noncurrentVersionExpiration?: { noncurrentDays?: number };
}

/** The horizons the bucket's lifecycle configuration (a sibling under the same component) declares. */
export function bucketHorizons(context: PricingContext, bucket: PlannedResource): BucketHorizons {
  const rules = siblingsOf(context, bucket, lifecycleType).flatMap((l) => (inputOf<LifecycleRule[]>(l, "rules") ?? []).filter((r) => r.status !== "Disabled"));
  const expiry = (prefix: string) => rules.find((r) => r.filter?.prefix === prefix && r.expiration?.days !== undefined)?.expiration?.days;
  const noncurrent = rules.map((r) => r.noncurrentVersionExpiration?.noncurrentDays).filter((d): d is number => d !== undefined);
  return { archiveDays: expiry("archive/"), backupDays: expiry("backup/"), noncurrentDays: noncurrent.length > 0 ? Math.max(...noncurrent) : undefined };
}

/** GiB a WAL archive bucket stores in steady state, with what it rests on. */
export function bucketStoredGiB(context: PricingContext, bucket: PlannedResource): { wal: ReturnType<typeof walStoredGiB>; backups: ReturnType<typeof backupStoredGiB> } {
  const horizons = bucketHorizons(context, bucket);
  return { wal: walStoredGiB(context.settings, horizons), backups: backupStoredGiB(context.settings, horizons) };
}

export const priceBucket: Pricer = (resource, context) => {
  const { wal, backups } = bucketStoredGiB(context, resource);
  const segments = walSegmentsPerDay(context.settings, context.archiveTimeoutSeconds);
  return [
    { item: "S3 Standard storage: WAL (archive/)", priceId: "s3.storage.standard", quantity: wal.value, estimate: wal.basis },
    { item: "S3 Standard storage: backups (backup/)", priceId: "s3.storage.standard", quantity: backups.value, estimate: backups.basis },
    {
      item: "PUT requests: one per WAL segment pushed",
      priceId: "s3.requests.put",
      quantity: (segments.value * context.prices.daysPerMonth) / 1000,
      estimate: `${Math.round(segments.value)} segments a day (${segments.basis}); a backup's own file uploads (about one per GiB) not counted`,
    },
  ];
};

interface BackupRule {
  ruleName?: string;
  enableContinuousBackup?: boolean;
  lifecycle?: { deleteAfter?: number };
  copyActions?: { destinationVaultArn?: string; lifecycle?: { deleteAfter?: number } }[];
}

const regionOfArn = (arn: string | undefined): string | undefined => arn?.split(":")[3] || undefined;

/**
 * A backup plan's storage: the vault keeps what the bucket holds now plus every object written
 * during the recovery points' retention (objects the bucket has since expired stay in older
 * recovery points). guess: continuous and snapshot recovery points of one bucket share the
 * stored objects (AWS Backup for S3 is incremental), so they are counted once, at the longer retention.
 */
export const priceBackupPlan: Pricer = (resource, context) => {
  const bucket = context.resources.find((r) => r.type === bucketType && r.region === resource.region);
  if (!bucket) return [{ item: "no WAL archive bucket in this region: nothing to back up", priceId: "backup.configuration", quantity: 1 }];
  const { wal, backups } = bucketStoredGiB(context, bucket);
  const held = wal.value + backups.value;
  const written = repositoryGiBWrittenPerDay(context.settings);
  const rules = inputOf<BackupRule[]>(resource, "rules") ?? [];
  const keepDays = Math.max(0, ...rules.map((r) => r.lifecycle?.deleteAfter ?? 0));
  const basis = (days: number) => `the bucket's ${held.toFixed(0)} GiB + ${written.value} GiB written a day x ${days} d retained (${written.basis})`;
  const lines: LineDraft[] = [
    { item: `S3 backup warm storage (retention ${keepDays} d)`, priceId: "backup.s3.warmStorage", quantity: held + written.value * keepDays, estimate: basis(keepDays) },
  ];
  for (const rule of rules) {
    for (const copy of rule.copyActions ?? []) {
      const to = regionOfArn(copy.destinationVaultArn);
      const days = copy.lifecycle?.deleteAfter ?? keepDays;
      lines.push(
        { item: `copy to ${to}: S3 backup warm storage (retention ${days} d)`, priceId: "backup.s3.warmStorage", quantity: held + written.value * days, region: to, estimate: basis(days) },
        {
          item: `copy to ${to}: cross-region transfer of each ${rule.ruleName ?? "rule"} recovery point's new data`,
          priceId: "backup.crossRegionTransfer",
          quantity: written.value * context.prices.daysPerMonth,
          estimate: `${written.value} GiB written a day (${written.basis})`,
        },
      );
    }
  }
  return lines;
};
