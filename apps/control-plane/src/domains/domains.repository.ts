import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ListDomainsQueryDto, Page } from '@smartbeak/contracts';
import { keysetPage, TenantScope } from '@smartbeak/persistence';
import { DataSource, EntityManager } from 'typeorm';

import { DomainEntity } from './domain.entity';

/** Every method takes the tenant: an unscoped query cannot be written here. */
@Injectable()
export class DomainsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    scope: TenantScope,
    fields: Pick<DomainEntity, 'name' | 'hostname'>,
  ): Promise<DomainEntity> {
    const repo = manager.getRepository(DomainEntity);
    return repo.save(repo.create({ ...fields, orgId: scope.orgId, status: 'active' }));
  }

  findById(scope: TenantScope, id: string): Promise<DomainEntity | null> {
    return this.dataSource.getRepository(DomainEntity).findOne({ where: { id, orgId: scope.orgId } });
  }

  list(scope: TenantScope, query: ListDomainsQueryDto): Promise<Page<DomainEntity>> {
    const qb = this.dataSource
      .getRepository(DomainEntity)
      .createQueryBuilder('d')
      .where('d.org_id = :orgId', { orgId: scope.orgId });
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    return keysetPage(qb, {
      sortColumn: 'd.created_at',
      idColumn: 'd.id',
      keyOf: (row) => [row.createdAt, row.id],
      limit: query.limit,
      cursor: query.cursor,
    });
  }
}
