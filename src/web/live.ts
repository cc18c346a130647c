// An EventSource that keeps coming back: the browser retries dropped connections itself; when it
// gives up (the gateway was down and answered nothing, or restarted), this opens a new one.
export interface LiveStream {
  close(): void;
}

export function live(url: string, handlers: Record<string, (data: unknown, id: string) => void>, onState?: (state: 'live' | 'reconnecting') => void): LiveStream {
  let source: EventSource | undefined;
  let closed = false;
  let delay = 1000;
  let timer: number | undefined;
  let lastId = '';
  const open = (): void => {
    if (closed) return;
    const sep = url.includes('?') ? '&' : '?';
    source = new EventSource(lastId ? `${url}${sep}last_event_id=${encodeURIComponent(lastId)}` : url);
    source.onopen = () => { delay = 1000; onState?.('live'); };
    source.onerror = () => {
      onState?.('reconnecting');
      if (source?.readyState === EventSource.CLOSED) {
        source.close();
        timer = window.setTimeout(open, delay);
        delay = Math.min(delay * 2, 10_000);
      }
    };
    for (const [event, handler] of Object.entries(handlers)) {
      source.addEventListener(event, (e) => {
        const message = e as MessageEvent<string>;
        if (message.lastEventId) lastId = message.lastEventId;
        handler(JSON.parse(message.data) as unknown, message.lastEventId);
      });
    }
  };
  open();
  return {
    close() {
      closed = true;
      if (timer !== undefined) window.clearTimeout(timer);
      source?.close();
    },
  };
}
