// @vitest-environment happy-dom
// @vitest-environment-options { "url": "https://shop.example/app/chat/page.html?x=1" }
import { Server, WebSocket as MockWebSocket } from 'mock-socket';
import { describe, expect, it } from 'vitest';
import { ArgumentError, WebConnectionWebSocket } from '../../src/index';
import { toSocketUrl, withIdentity } from '../../src/url';
import { waitFor } from '../helpers/wait';

describe('URLs in a page', () => {
  it('the default __initializeSocket.wc resolves against the page, https -> wss', () => {
    expect(toSocketUrl('__initializeSocket.wc')).toBe('wss://shop.example/app/chat/__initializeSocket.wc');
    expect(toSocketUrl('/ws/__initializeSocket.wc')).toBe('wss://shop.example/ws/__initializeSocket.wc');
    expect(toSocketUrl('http://other:8080/x')).toBe('ws://other:8080/x');
    expect(toSocketUrl('wss://a.example/s')).toBe('wss://a.example/s');
  });

  it('groupId and userId travel as query parameters; empty ones are left out', () => {
    expect(withIdentity('wss://a/__initializeSocket.wc', 'room 1', 'rick&co')).toBe('wss://a/__initializeSocket.wc?groupId=room+1&userId=rick%26co');
    expect(withIdentity('wss://a/s?t=1', '', 'u')).toBe('wss://a/s?t=1&userId=u');
  });

  it('an invalid URL is an ArgumentError at tryConnect, saying what is accepted', () => {
    const socket = new WebConnectionWebSocket({ url: 'ftp://files.example/x', WebSocket: MockWebSocket });
    expect(() => socket.tryConnect()).toThrow(ArgumentError);
    expect(() => socket.tryConnect()).toThrow('url must be a ws(s)/http(s) URL or a path relative to the page, got "ftp://files.example/x".');
    expect(socket.state).toBe('idle');
    expect(() => new WebConnectionWebSocket({ url: 'http://[bad', WebSocket: MockWebSocket }).tryConnect()).toThrow('url must be a ws(s)/http(s) URL or a path relative to the page, got "http://[bad".');
  });

  it('new WebConnectionWebSocket() with no options connects to the default URL with the identity', async () => {
    const server = new Server('wss://shop.example/app/chat/__initializeSocket.wc');
    const urls: string[] = [];
    server.on('connection', (s) => urls.push((s as unknown as { url: string }).url));
    (globalThis as { WebSocket?: unknown }).WebSocket = MockWebSocket;
    const socket = new WebConnectionWebSocket();
    socket.tryConnect(true, 'g', 'u');
    await waitFor(() => socket.state === 'open', 'open');
    // The identity, and the resume extension's session (a server without the extension ignores it).
    expect(urls[0]).toMatch(/^wss:\/\/shop\.example\/app\/chat\/__initializeSocket\.wc\?groupId=g&userId=u&wcSession=[\w-]{8,64}&wcAck=0$/);
    socket.close();
    server.stop();
  });

  it('resume: false leaves the URL as the vendor\'s client builds it', async () => {
    const server = new Server('wss://shop.example/app/chat/__initializeSocket.wc');
    const urls: string[] = [];
    server.on('connection', (s) => urls.push((s as unknown as { url: string }).url));
    const socket = new WebConnectionWebSocket({ WebSocket: MockWebSocket, resume: false });
    socket.tryConnect(true, 'g', 'u');
    await waitFor(() => socket.state === 'open', 'open');
    expect(urls[0]).toBe('wss://shop.example/app/chat/__initializeSocket.wc?groupId=g&userId=u');
    socket.close();
    server.stop();
  });
});
