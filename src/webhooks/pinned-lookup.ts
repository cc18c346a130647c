// A `lookup` for net.connect that answers with addresses already checked, so the socket goes to
// exactly what resolveWebhookTarget approved (a second DNS answer cannot rebind it elsewhere).
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './webhook-url.js';

export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
    const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
    if (usable.length === 0) {
      const error = Object.assign(new Error(`no checked address for ${hostname}`), { code: 'ENOTFOUND' });
      callback(error, '', 0);
      return;
    }
    // With autoSelectFamily (Node's default), net asks for every address at once.
    if (options.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, usable[0].address, usable[0].family);
  };
}
