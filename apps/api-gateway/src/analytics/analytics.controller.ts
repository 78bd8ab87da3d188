import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiProduces,
  ApiPropertyOptional,
  ApiTags,
  getSchemaPath,
  ApiOperation,
} from '@nestjs/swagger';
import { CurrentContext, RequirePermissions } from '@smartbeak/auth';
import {
  AnalyticsPatterns,
  ContentReportDto,
  ContentReportQueryDto,
  DestinationFiguresDto,
  MetricDefinitionDto,
  PortfolioReportDto,
  PortfolioQueryDto,
  type RequestContext,
  UsageReportDto,
  UsageQueryDto,
} from '@smartbeak/contracts';
import { IsIn, IsOptional } from 'class-validator';
import type { FastifyReply } from 'fastify';

import { GatewayRpc } from '../rpc/gateway-rpc';
import { toCsv } from './csv';

// `?format=csv` does what `Accept: text/csv` does (a download link cannot set headers).
const FORMAT = { enum: ['json', 'csv'], description: '`csv` does what `Accept: text/csv` does' } as const;
class UsageQuery extends UsageQueryDto {
  @ApiPropertyOptional(FORMAT) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}
class ContentReportQuery extends ContentReportQueryDto {
  @ApiPropertyOptional(FORMAT) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}
class PortfolioQuery extends PortfolioQueryDto {
  @ApiPropertyOptional(FORMAT) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

function wantsCsv(format: 'json' | 'csv' | undefined, accept?: string): boolean {
  return format === 'csv' || (format !== 'json' && /\btext\/csv\b/.test(accept ?? ''));
}

/** Usage and reports (docs/analytics.md); each also as CSV. */
@ApiTags('analytics')
@ApiExtraModels(MetricDefinitionDto, DestinationFiguresDto)
@ApiBearerAuth()
@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly rpc: GatewayRpc) {}

  @Get('usage')
  @RequirePermissions('analytics:read')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: UsageReportDto, description: 'Also text/csv: metric, bucket, value' })
  @ApiOperation({ summary: 'API usage per period (JSON or CSV)' })
  async usage(
    @CurrentContext() ctx: RequestContext,
    @Query() { format, ...query }: UsageQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UsageReportDto | string> {
    const report = await this.rpc.forward<UsageReportDto>(AnalyticsPatterns.usage, ctx, query);
    if (!wantsCsv(format, accept)) return report;
    const rows = report.series.flatMap((series) =>
      series.points.map((point) => ({ metric: series.metric, bucket: point.bucket, value: point.value })),
    );
    return this.csv(reply, `usage-${report.granularity}`, rows);
  }

  @Get('reports/content')
  @RequirePermissions('analytics:read')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    type: ContentReportDto,
    description:
      'Per period and domain: created, published, attempts, failures, success rate, by destination',
  })
  @ApiOperation({ summary: 'Content report: created, published, attempts and failures per period and domain' })
  async content(
    @CurrentContext() ctx: RequestContext,
    @Query() { format, ...query }: ContentReportQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ContentReportDto | string> {
    const report = await this.rpc.forward<ContentReportDto>(AnalyticsPatterns.contentReport, ctx, query);
    if (!wantsCsv(format, accept)) return report;
    return this.csv(reply, 'content-report', report.rows as unknown as Record<string, unknown>[]);
  }

  @Get('reports/portfolio')
  @RequirePermissions('analytics:read')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    type: PortfolioReportDto,
    description: "Every domain of the org side by side: each metric's total for the period",
  })
  @ApiOperation({ summary: "Portfolio report across the org's domains" })
  async portfolio(
    @CurrentContext() ctx: RequestContext,
    @Query() { format, ...query }: PortfolioQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PortfolioReportDto | string> {
    const report = await this.rpc.forward<PortfolioReportDto>(AnalyticsPatterns.portfolioReport, ctx, query);
    if (!wantsCsv(format, accept)) return report;
    return this.csv(
      reply,
      'portfolio',
      report.domains.map((row) => ({ domainId: row.domainId ?? '', ...row.metrics })),
    );
  }

  @Get('metrics')
  @RequirePermissions('analytics:read')
  @ApiOkResponse({
    schema: { type: 'object', additionalProperties: { $ref: getSchemaPath(MetricDefinitionDto) } },
    description: 'Every metric by name: unit, source, dimension, description',
  })
  @ApiOperation({ summary: 'The metrics reports can show: unit, source, dimension, description' })
  metrics(@CurrentContext() ctx: RequestContext): Promise<unknown> {
    return this.rpc.forward(AnalyticsPatterns.metrics, ctx);
  }

  private csv(reply: FastifyReply, name: string, rows: Record<string, unknown>[]): string {
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}.csv"`);
    return toCsv(rows);
  }
}
