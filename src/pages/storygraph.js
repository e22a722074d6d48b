/**
 * The browser half of `/live` and `/story`, served at `/assets/storygraph.js`: GraphQL over
 * `fetch`, the story feed over graphql-ws (the graphql-transport-ws protocol, spoken directly, so
 * no bundle is needed), and names for global IDs. It defines `window.storygraph`.
 *
 * A server with `ANONYMOUS_READS=false` needs a token: the pages take one from the address's
 * fragment (`/story#token=…`, which the browser never sends to the server or its logs), keep it
 * for the tab in sessionStorage, remove it from the address bar, and send it as the
 * `Authorization` header and in graphql-ws's `connection_init`.
 *
 * - `request(query, variables)` resolves to `data`, or rejects with the errors' messages.
 * - `follow({ query, after, onEvent, onStatus })` subscribes to `storyEvents` and, after a dropped
 *   connection or a `SLOW_CONSUMER` end, subscribes again after the last cursor it saw, so an
 *   event is neither missed nor shown twice. Returns a function that stops it.
 * - `names(ids)` resolves global IDs to readable names with one `nodes` query for those not yet
 *   cached; `forget(id)` drops a name that may have changed; `isId(value)` tells IDs apart.
 */
(() => {
  const endpoint = `${location.origin}/graphql`;
  const TYPES = ['Leader', 'Organization', 'Summit', 'Article', 'Membership', 'Participation'];
  const TOKEN_KEY = 'storygraph.token';

  function takeToken() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const given = fragment.get('token');
    if (given) {
      sessionStorage.setItem(TOKEN_KEY, given);
      fragment.delete('token');
      const rest = fragment.toString();
      history.replaceState(
        null,
        '',
        location.pathname + location.search + (rest ? `#${rest}` : ''),
      );
    }
    return sessionStorage.getItem(TOKEN_KEY) || null;
  }
  const token = takeToken();

  // What an UNAUTHENTICATED answer tells the reader to do.
  const TOKEN_HINT =
    ' Open this page as ' +
    location.pathname +
    '#token=<token> (npm run -s token -- --role reader).';

  function messageOf(errors) {
    const text = errors.map((error) => error.message).join('; ');
    const unauthenticated = errors.some(
      (error) => error.extensions && error.extensions.code === 'UNAUTHENTICATED',
    );
    return unauthenticated ? text + TOKEN_HINT : text;
  }

  async function request(query, variables) {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables: variables || {} }),
    });
    const body = await response.json();
    if (body.errors?.length) throw new Error(messageOf(body.errors));
    return body.data;
  }

  function follow({ query, after, onEvent, onStatus }) {
    let cursor = after || null;
    let socket = null;
    let stopped = false;
    let delay = 500;
    const status = onStatus || (() => {});
    function subscribe() {
      socket.send(
        JSON.stringify({
          id: `feed-${Date.now()}`,
          type: 'subscribe',
          payload: { query, variables: { after: cursor } },
        }),
      );
    }
    function connect() {
      socket = new WebSocket(endpoint.replace(/^http/, 'ws'), 'graphql-transport-ws');
      socket.onopen = () =>
        socket.send(
          JSON.stringify({
            type: 'connection_init',
            payload: token ? { authorization: `Bearer ${token}` } : {},
          }),
        );
      socket.onmessage = (message) => {
        const data = JSON.parse(message.data);
        if (data.type === 'connection_ack') {
          delay = 500;
          status('live');
          subscribe();
        } else if (data.type === 'next') {
          const event = data.payload.data?.storyEvents;
          if (event) {
            cursor = event.cursor;
            onEvent(event);
          }
          for (const error of data.payload.errors || []) {
            const resume = error.extensions?.resumeAfter;
            if (resume) cursor = resume;
          }
        } else if (data.type === 'error') {
          // Only a feed that says where to resume is retried; anything else would fail again.
          const resume = (data.payload || [])
            .map((error) => error.extensions?.resumeAfter)
            .find(Boolean);
          if (resume) {
            cursor = resume;
            setTimeout(subscribe, delay);
          } else {
            status(`failed: ${messageOf(data.payload || [])}`);
          }
        } else if (data.type === 'complete') {
          // The server ended the feed (a slow consumer, say): pick it up again after the cursor.
          if (!stopped) setTimeout(subscribe, delay);
        } else if (data.type === 'ping') {
          socket.send(JSON.stringify({ type: 'pong' }));
        }
      };
      socket.onclose = (event) => {
        if (stopped) return;
        // 4401/4403: the token is missing, refused or expired; retrying with it would fail again.
        if (event.code === 4401 || event.code === 4403) {
          status(`failed: ${event.reason || 'the token was refused'}.${TOKEN_HINT}`);
          return;
        }
        status('reconnecting');
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 10000);
      };
    }
    connect();
    return () => {
      stopped = true;
      if (socket) socket.close();
    };
  }

  function isId(value) {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]{4,}={0,2}$/.test(value)) return false;
    let decoded;
    try {
      decoded = atob(value);
    } catch {
      return false;
    }
    const match = /^([A-Za-z]+):[1-9][0-9]*$/.exec(decoded);
    return Boolean(match && TYPES.includes(match[1]));
  }

  function typeOf(id) {
    return atob(id).split(':')[0];
  }

  const NAME_FIELDS =
    '__typename id ' +
    '... on Leader { name } ' +
    '... on Organization { name acronym } ' +
    '... on Summit { name } ' +
    '... on Article { headline } ' +
    '... on Membership { role leader { id name } organization { id name acronym } } ' +
    '... on Participation { status leader { id name } summit { id name } }';

  function describe(node) {
    switch (node.__typename) {
      case 'Leader':
      case 'Summit':
        return node.name;
      case 'Organization':
        return node.acronym ? `${node.name} (${node.acronym})` : node.name;
      case 'Article':
        return node.headline;
      case 'Membership':
        return (
          node.leader.name +
          ', ' +
          node.role +
          ' of ' +
          (node.organization.acronym || node.organization.name)
        );
      case 'Participation':
        return `${node.leader.name} at ${node.summit.name}`;
      default:
        return node.id;
    }
  }

  // id -> Promise<string | null>; null when nothing has that ID any more.
  const cache = new Map();
  const CHUNK = 50;

  function names(ids) {
    const missing = [...new Set(ids.filter((id) => isId(id) && !cache.has(id)))];
    for (let i = 0; i < missing.length; i += CHUNK) {
      const chunk = missing.slice(i, i + CHUNK);
      const nodes = request(
        `query StoryNames($ids: [ID!]!) { nodes(ids: $ids) { ${NAME_FIELDS} } }`,
        { ids: chunk },
      ).then((data) => data.nodes);
      chunk.forEach((id, index) => {
        const name = nodes.then((list) => (list[index] ? describe(list[index]) : null));
        // A failed look-up is not remembered: the next call asks again.
        name.catch(() => cache.delete(id));
        cache.set(id, name);
      });
    }
    return Promise.all(ids.map((id) => (cache.get(id) || Promise.resolve(null)).catch(() => null)));
  }

  function forget(id) {
    cache.delete(id);
  }

  window.storygraph = { request, follow, names, forget, isId, typeOf, hasToken: Boolean(token) };
})();
