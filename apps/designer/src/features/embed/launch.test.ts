import { describe, expect, it } from 'vitest'
import { hostTarget, notifyHost, readLaunch, type HostEvent } from './launch.ts'

describe('the embedded view’s launch', () => {
  it('reads the host from the query and the token from the fragment (never sent to a server)', () => {
    expect(readLaunch('?host=crm-desktop', '#launch=a.b.c')).toEqual({ host: 'crm-desktop', token: 'a.b.c' })
    expect(readLaunch('?host=crm-desktop', '')).toHaveProperty('problem')
    expect(readLaunch('', '#launch=a.b.c')).toHaveProperty('problem')
  })

  it('posts only to a registered origin, never to a page it cannot name', () => {
    const origins = ['https://crm.example.org', 'https://crm2.example.org']
    expect(hostTarget(origins, 'https://crm2.example.org', '')).toBe('https://crm2.example.org')
    expect(hostTarget(origins, 'https://evil.example', 'https://crm.example.org/desk')).toBeNull()
    expect(hostTarget(origins, undefined, 'https://crm.example.org/desk?x=1')).toBe('https://crm.example.org')
    expect(hostTarget(origins, undefined, '')).toBeNull()
    expect(hostTarget(['https://crm.example.org'], undefined, '')).toBe('https://crm.example.org')
    const posted: [HostEvent, string][] = []
    notifyHost({ type: 'carepath.launched', runId: 'r-1' }, null, (m, o) => posted.push([m, o]))
    notifyHost({ type: 'carepath.launched', runId: 'r-1' }, 'https://crm.example.org', (m, o) => posted.push([m, o]))
    expect(posted).toEqual([[{ type: 'carepath.launched', runId: 'r-1' }, 'https://crm.example.org']])
  })
})
