import type { SimIssue, SimMediaRequest } from './sim-data.js';

/** MediaStatus names as the webhook agent prints them (server/constants/media.ts). */
const MEDIA_STATUS: Record<number, string> = { 1: 'UNKNOWN', 2: 'PENDING', 3: 'PROCESSING', 4: 'PARTIALLY_AVAILABLE', 5: 'AVAILABLE', 6: 'DELETED' };
const ISSUE_TYPE: Record<number, string> = { 1: 'VIDEO', 2: 'AUDIO', 3: 'SUBTITLES', 4: 'OTHER' };
const ISSUE_STATUS: Record<number, string> = { 1: 'OPEN', 2: 'RESOLVED' };

/** The `event` line the app puts in its notifications (server/lib/notifications/agents). */
function eventLabel(type: string, kind: 'movie' | 'tv' | null): string {
  const what = kind === 'tv' ? 'Series' : 'Movie';
  switch (type) {
    case 'MEDIA_PENDING': return `New ${what} Request`;
    case 'MEDIA_AUTO_REQUESTED': return `${what} Request Automatically Submitted`;
    case 'MEDIA_APPROVED': return `${what} Request Approved`;
    case 'MEDIA_AUTO_APPROVED': return `${what} Request Automatically Approved`;
    case 'MEDIA_AVAILABLE': return `${what} Now Available`;
    case 'MEDIA_DECLINED': return `${what} Request Declined`;
    case 'MEDIA_FAILED': return `${what} Request Failed`;
    case 'ISSUE_CREATED': return 'New Issue Reported';
    case 'ISSUE_RESOLVED': return 'Issue Resolved';
    default: return '';
  }
}

/**
 * Renders the webhook agent's default JSON template (notifications.agents.webhook.options.
 * jsonPayload) for a notification: every value a string, `{{media}}`/`{{request}}`/`{{issue}}`/
 * `{{comment}}` replaced by null when the notification has none (agents/webhook.ts `parseKeys`).
 */
export function renderWebhook(type: string, ctx: { request: SimMediaRequest | null; issue: SimIssue | null; app: string }): Record<string, unknown> {
  const media = ctx.request?.media ?? ctx.issue?.media ?? null;
  const kind = media?.title.kind ?? null;
  const test = type === 'TEST_NOTIFICATION';
  const year = media ? media.title.date.slice(0, 4) : '';
  return {
    notification_type: type,
    event: test ? '' : eventLabel(type, kind),
    subject: test ? 'Test Notification' : media ? `${media.title.title} (${year})` : '',
    message: test ? 'Check check, 1, 2, 3. Are we coming in clear?' : media?.title.overview ?? '',
    image: media ? `https://image.tmdb.org/t/p/w600_and_h900_bestv2/p${media.title.tmdbId}.jpg` : '',
    media:
      media && !test
        ? {
            media_type: kind ?? '',
            tmdbId: String(media.title.tmdbId),
            tvdbId: media.title.tvdbId === null ? '' : String(media.title.tvdbId),
            status: MEDIA_STATUS[media.status] ?? '',
            status4k: MEDIA_STATUS[media.status4k] ?? '',
          }
        : null,
    request:
      ctx.request && !test
        ? {
            request_id: String(ctx.request.id),
            requestedBy_email: ctx.request.user.email,
            requestedBy_username: ctx.request.user.name,
            requestedBy_avatar: '',
            requestedBy_settings_discordId: '',
            requestedBy_settings_telegramChatId: '',
          }
        : null,
    issue:
      ctx.issue && !test
        ? {
            issue_id: String(ctx.issue.id),
            issue_type: ISSUE_TYPE[ctx.issue.issueType] ?? '',
            issue_status: ISSUE_STATUS[ctx.issue.status] ?? '',
            reportedBy_email: ctx.issue.user.email,
            reportedBy_username: ctx.issue.user.name,
            reportedBy_avatar: '',
            reportedBy_settings_discordId: '',
            reportedBy_settings_telegramChatId: '',
          }
        : null,
    comment: null,
    extra: [],
  };
}
