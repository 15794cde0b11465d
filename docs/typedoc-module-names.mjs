// @ts-check
import { Converter } from 'typedoc';

/**
 * Names each module of the API reference for the import path that reaches it
 * (`webconnection-websocket/liveness`), not for its file (`liveness`).
 * @param {import('typedoc').Application} app
 */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.children ?? []) mod.name = mod.name === 'index' ? 'webconnection-websocket' : `webconnection-websocket/${mod.name}`;
  });
}
