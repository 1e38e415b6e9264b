// Herald's HTTP API as the page uses it: every call signs in with the development
// authenticator's "Authorization: Bearer <name>"; a real app sends its own session's
// credentials here instead.

/** The URL of a route below where Herald is mounted (the page's data-herald-api). */
export function apiUrl(path) {
  const base = new URL(document.documentElement.dataset.heraldApi ?? '/', location.href);
  return new URL(path.replace(/^\//, ''), base.href.endsWith('/') ? base : `${base.href}/`);
}

/** An answer Herald refused: its Graph error code and message. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function createApi(user) {
  async function call(method, path, body) {
    const response = await fetch(path instanceof URL ? path : apiUrl(path), {
      method,
      headers: { authorization: `Bearer ${user}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 204) return undefined;
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ApiError(response.status, answer.error?.code ?? `HTTP_${response.status}`, answer.error?.message ?? response.statusText);
    }
    return answer;
  }

  return {
    user,
    /** One page of the feed, newest first, and the link to the next. */
    async page(next) {
      const answer = await call('GET', next ?? 'me/notifications?$top=50');
      return { items: answer.value, next: answer['@odata.nextLink'] === undefined ? undefined : new URL(answer['@odata.nextLink']) };
    },
    /** How many unread notifications there are, counted through the unread filter's pages. */
    async unreadCount() {
      let count = 0;
      let next = apiUrl(`me/notifications?$top=1000&$filter=${encodeURIComponent("readState eq 'unread'")}`);
      while (next !== undefined) {
        const answer = await call('GET', next);
        count += answer.value.length;
        next = answer['@odata.nextLink'] === undefined ? undefined : new URL(answer['@odata.nextLink']);
      }
      return count;
    },
    patch: (id, state) => call('PATCH', `me/notifications/${encodeURIComponent(id)}`, state),
    remove: (id) => call('DELETE', `me/notifications/${encodeURIComponent(id)}`),
    subscribe: (subscription) => call('POST', 'me/notifications/subscriptions', subscription),
    /**
     * The feed stream's URL. EventSource sends no headers, so the name rides in
     * `access_token` (RFC 6750 §2.3), which only the development authenticator takes.
     */
    streamUrl() {
      const url = apiUrl('me/notifications/stream');
      url.searchParams.set('access_token', user);
      return url;
    },
  };
}
