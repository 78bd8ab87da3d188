import { type DeviceKind } from '@smartbeak/contracts';
import { isUuid, orgFilter, Repository, type TenantScope } from '@smartbeak/persistence';

export interface DeviceRow {
  id: string;
  kind: DeviceKind;
  /** The FCM registration token, or the Web Push endpoint. */
  address: string;
  keys: { p256dh: string; auth: string } | null;
}

/** A member's push devices (FCM tokens, Web Push subscriptions), within one org. */
export class DevicesRepository extends Repository {
  /** A token registered again (by anyone) moves to the caller: a device belongs to whoever signed in last. */
  async upsert(
    scope: TenantScope,
    userId: string,
    device: { kind: DeviceKind; address: string; keys: DeviceRow['keys'] },
  ): Promise<string> {
    const row = await this.sql.one<{ id: string }>(
      `INSERT INTO devices (org_id, user_id, kind, address, keys) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, address) DO UPDATE SET org_id = EXCLUDED.org_id, user_id = EXCLUDED.user_id, keys = EXCLUDED.keys
       RETURNING id`,
      [scope.orgId, userId, device.kind, device.address, device.keys ? JSON.stringify(device.keys) : null],
    );
    return row!.id;
  }

  async remove(scope: TenantScope, userId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return (
      (await this.sql.run(
        `DELETE FROM devices WHERE id = $1 AND ${orgFilter('org_id', '$2')} AND user_id = $3`,
        [id, scope.orgId, userId],
      )) > 0
    );
  }

  list(scope: TenantScope, userId: string): Promise<DeviceRow[]> {
    return this.sql.rows<DeviceRow>(
      `SELECT id, kind, address, keys FROM devices WHERE org_id = $1 AND user_id = $2 ORDER BY created_at`,
      [scope.orgId, userId],
    );
  }

  /** The provider said the token is gone (FCM UNREGISTERED, Web Push 404/410). */
  async forget(scope: TenantScope, id: string): Promise<void> {
    await this.sql.run(`DELETE FROM devices WHERE id = $1 AND ${orgFilter('org_id', '$2')}`, [
      id,
      scope.orgId,
    ]);
  }
}
