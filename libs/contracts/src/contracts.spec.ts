import { CONSUMED_EVENT_QUEUES, EVENT_ROUTES, EventQueues, Events } from './events';
import { healthPingPattern, Patterns, SERVICES, serviceOfPattern } from './patterns';

const leaves = (tree: object): string[] =>
  Object.values(tree).flatMap((value) => (typeof value === 'string' ? [value] : leaves(value as object)));

describe('message contracts', () => {
  it('names every RPC pattern <service>.<aggregate>.<verb>, owned by a known service', () => {
    for (const pattern of leaves(Patterns)) {
      expect(pattern).toMatch(/^[a-z-]+\.[a-z-]+\.[a-z-]+$/);
      expect(SERVICES).toContain(serviceOfPattern(pattern));
    }
    expect(new Set(leaves(Patterns)).size).toBe(leaves(Patterns).length);
  });

  it('names every event <service>.<aggregate>.<past-tense verb or state> and routes only known events to known queues', () => {
    const events = leaves(Events);
    // Past tense, or the state reached when that reads better (`media.asset.ready`, named so by the media issue).
    for (const event of events) expect(event).toMatch(/^[a-z-]+\.[a-z-]+\.([a-z-]+ed|ready)$/);
    const queues = Object.values(EventQueues) as string[];
    for (const [event, targets] of Object.entries(EVENT_ROUTES)) {
      expect(events).toContain(event);
      for (const queue of targets ?? []) expect(queues).toContain(queue);
    }
  });

  it('routes events only to queues some service consumes (an undrained queue grows Redis)', () => {
    for (const targets of Object.values(EVENT_ROUTES)) {
      for (const queue of targets ?? []) expect(CONSUMED_EVENT_QUEUES).toContain(queue);
    }
  });

  it('builds the health ping pattern per service', () => {
    expect(healthPingPattern('content')).toBe('content.health.ping');
  });
});
