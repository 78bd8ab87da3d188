import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  AnalyticsPatterns,
  type ContentReportDto,
  ContentReportQueryDto,
  METRICS,
  type PortfolioReportDto,
  PortfolioQueryDto,
  type RequestContext,
  type UsageReportDto,
  UsageQueryDto,
} from '@smartbeak/contracts';
import { requirePermissions } from '@smartbeak/auth';
import { RpcPayload } from '@smartbeak/messaging';

import { ReportsService } from './reports.service';

/** Thin: each pattern validates its payload and calls the service. */
@Controller()
export class ReportsHandler {
  constructor(private readonly reports: ReportsService) {}

  @MessagePattern(AnalyticsPatterns.usage)
  usage(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(UsageQueryDto) query: UsageQueryDto,
  ): Promise<UsageReportDto> {
    return this.reports.usage(ctx, query);
  }

  @MessagePattern(AnalyticsPatterns.contentReport)
  content(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ContentReportQueryDto) query: ContentReportQueryDto,
  ): Promise<ContentReportDto> {
    return this.reports.content(ctx, query);
  }

  @MessagePattern(AnalyticsPatterns.portfolioReport)
  portfolio(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(PortfolioQueryDto) query: PortfolioQueryDto,
  ): Promise<PortfolioReportDto> {
    return this.reports.portfolio(ctx, query);
  }

  @MessagePattern(AnalyticsPatterns.metrics)
  metrics(@RpcCtx() ctx: RequestContext): typeof METRICS {
    requirePermissions(ctx, 'analytics:read');
    return METRICS;
  }
}
