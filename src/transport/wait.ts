import type { Wait } from './types';

/** The plain wait between attempts: a timer that `wake()` ends early. The network feature replaces it. */
export const sleep = (ms: number): Wait => {
  let wake!: () => void;
  const promise = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => (clearTimeout(timer), resolve());
  });
  return { promise, wake };
};
