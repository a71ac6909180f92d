// Carrier detection (issue 8 §1): a table of real-format numbers, each with its expected carrier AND tracking
// URL, across UPS (1Z, Mail Innovations, freight), FedEx (12, 15, 20, 22 digits, SmartPost), USPS (IMpb
// 20–22, 420+ZIP prefixed, S10 international), DHL (Express, Paket, eCommerce), OnTrac, LaserShip and Amazon.
// Check digits are computed here, independently of src/domain/tracking.ts.
import { describe, expect, it } from 'vitest';
import { detectTracking, splitTrackingNumbers, trackingUrl } from '../../src/domain/tracking.ts';

/** GS1 mod 10, weights 3,1 from the right (IMpb, SSCC, FedEx 96). */
const gs1 = (body: string) => {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return `${body}${(10 - (sum % 10)) % 10}`;
};
/** UPS 1Z: letters as (code − 63) mod 10, odd positions doubled. */
const ups = (body: string) => {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    const v = /\d/.test(c) ? Number(c) : (c.charCodeAt(0) - 63) % 10;
    sum += i % 2 === 1 ? v * 2 : v;
  }
  return `1Z${body}${(10 - (sum % 10)) % 10}`;
};
/** FedEx Express 12: weights 1,3,7 from the right, mod 11, mod 10. */
const fedex12 = (body: string) => {
  const w = [1, 3, 7];
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * w[i % 3];
  return `${body}${(sum % 11) % 10}`;
};
/** UPU S10: weights 8,6,4,2,3,5,9,7; 11 − sum mod 11 (10 → 0, 11 → 5). */
const s10 = (prefix: string, serial: string, country: string) => {
  const w = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = w.reduce((t, x, i) => t + x * Number(serial[i]), 0);
  const c = 11 - (sum % 11);
  return `${prefix}${serial}${c === 10 ? 0 : c === 11 ? 5 : c}${country}`;
};
/** DHL Express 10 digits: the first nine mod 7. */
const dhl10 = (body: string) => `${body}${Number(body) % 7}`;

const URL = {
  ups: (n: string) => `https://www.ups.com/track?tracknum=${n}`,
  fedex: (n: string) => `https://www.fedex.com/apps/fedextrack/?tracknumbers=${n}&cntry_code=US`,
  usps: (n: string) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${n}`,
  dhlExpress: (n: string) => `https://www.dhl.com/us-en/home/tracking/tracking-express.html?submit=1&tracking-id=${n}`,
  dhlPaket: (n: string) => `https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=${n}`,
  dhlEcommerce: (n: string) => `https://webtrack.dhlecs.com/orders?trackingNumber=${n}`,
  ontrac: (n: string) => `https://www.ontrac.com/tracking/?number=${n}`,
  amazon: (n: string) => `https://track.amazon.com/tracking/${n}`,
};

const impb22 = [gs1('940011189922385647021'), gs1('940550899562186032110'), gs1('920550899562186032110')];
const impb20 = gs1('9101123456789000000');
const impb21 = gs1('93612899000000000001');
const upsMi = gs1('927489999855045130150'.slice(0, 21));
const dhlEcomImpb = gs1('937486990312345678901'.slice(0, 21));
const smartPostImpb = gs1('926129901234567890123'.slice(0, 21));
const paketSscc = `00${gs1('340434161094042557'.slice(0, 17))}`;

/** [format, as written, carrier, URL, alternatives (when the number fits other carriers' formats too)]. */
const TABLE: [string, string, string, string, string[]?][] = [
  ['UPS 1Z ground', ups('8A2V41031234567'), 'ups', URL.ups(ups('8A2V41031234567'))],
  ['UPS 1Z next day air', ups('999AA1012345678'), 'ups', URL.ups(ups('999AA1012345678'))],
  ['UPS 1Z with spaces', ups('5R8939035756712').replace(/(.{4})/g, '$1 '), 'ups', URL.ups(ups('5R8939035756712'))],
  ['UPS 1Z with dashes, lower case', ups('879E93034683444').toLowerCase().replace(/(.{3})/g, '$1-'), 'ups', URL.ups(ups('879E93034683444'))],
  ['UPS 1Z worldwide', ups('410E7W039275159'), 'ups', URL.ups(ups('410E7W039275159'))],
  ['UPS Mail Innovations (MI label)', 'MI123456EP1234567890', 'ups', URL.ups('MI123456EP1234567890')],
  ['UPS Mail Innovations (IMpb, USPS delivers)', upsMi, 'usps', URL.usps(upsMi), ['ups']],
  ['UPS freight waybill', 'K1506235620', 'ups', URL.ups('K1506235620')],
  ['UPS freight waybill J', 'J4603636537', 'ups', URL.ups('J4603636537')],
  ['FedEx Express 12', fedex12('98657878885'), 'fedex', URL.fedex(fedex12('98657878885'))],
  ['FedEx Express 12 (b)', fedex12('47717908123'), 'fedex', URL.fedex(fedex12('47717908123'))],
  ['FedEx Express 12 (c)', fedex12('79953127448'), 'fedex', URL.fedex(fedex12('79953127448'))],
  ['FedEx Ground 15', '041441760228964', 'fedex', URL.fedex('041441760228964')],
  ['FedEx Ground 15 (96)', gs1('96123456789012'), 'fedex', URL.fedex(gs1('96123456789012'))],
  ['FedEx Ground SSCC 20', '00012345000000000027', 'fedex', URL.fedex('00012345000000000027')],
  ['FedEx SmartPost 20', '61299998820821171811', 'fedex', URL.fedex('61299998820821171811')],
  ['FedEx Ground 96 (22)', '9611020987654312345672', 'fedex', URL.fedex('9611020987654312345672')],
  ['FedEx SmartPost IMpb (USPS delivers)', smartPostImpb, 'usps', URL.usps(smartPostImpb), ['fedex']],
  ['FedEx SmartPost, 420 + ZIP5 (the issue\'s number)', '420773169261290283641500004181', 'usps', URL.usps('9261290283641500004181'), ['fedex']],
  ['FedEx 34 (Express)', '1001921334250001000300779017972697', 'fedex', URL.fedex('1001921334250001000300779017972697')],
  ['USPS IMpb 22 Priority', impb22[0], 'usps', URL.usps(impb22[0])],
  ['USPS IMpb 22 Ground Advantage', impb22[1], 'usps', URL.usps(impb22[1])],
  ['USPS IMpb 22 Certified', impb22[2], 'usps', URL.usps(impb22[2])],
  ['USPS IMpb 20', impb20, 'usps', URL.usps(impb20)],
  ['USPS IMpb 21', impb21, 'usps', URL.usps(impb21), ['dhl']],
  ['USPS 20 (legacy)', '03071790000523483741', 'usps', URL.usps('03071790000523483741')],
  ['USPS 420 + ZIP5 + IMpb', `42090210${impb22[0]}`, 'usps', URL.usps(impb22[0])],
  ['USPS 420 + ZIP9 + IMpb', `420902101234${impb22[1]}`, 'usps', URL.usps(impb22[1])],
  ['USPS 420 + ZIP5 + IMpb 20', `42010001${impb20}`, 'usps', URL.usps(impb20)],
  ['USPS international S10 (EC…US)', s10('EC', '12345678', 'US'), 'usps', URL.usps(s10('EC', '12345678', 'US'))],
  ['USPS international S10 (LZ…US)', s10('LZ', '98765432', 'US'), 'usps', URL.usps(s10('LZ', '98765432', 'US'))],
  ['USPS international S10 (RA…US)', s10('RA', '55566677', 'US'), 'usps', URL.usps(s10('RA', '55566677', 'US'))],
  ['DHL Express 10', dhl10('331881002'), 'dhl', URL.dhlExpress(dhl10('331881002'))],
  ['DHL Express 10 (b)', dhl10('848713550'), 'dhl', URL.dhlExpress(dhl10('848713550'))],
  ['DHL Express 10 (c)', dhl10('109925599'), 'dhl', URL.dhlExpress(dhl10('109925599'))],
  ['DHL Express piece id (JVGL)', 'JVGL0999999990', 'dhl', URL.dhlExpress('JVGL0999999990')],
  ['DHL Paket 20 (the issue\'s number)', '00340434161094042557', 'dhl', URL.dhlPaket('00340434161094042557'), ['usps']],
  ['DHL Paket SSCC (generated)', paketSscc, 'dhl', URL.dhlPaket(paketSscc)],
  ['DHL Paket JJD', 'JJD000390007712244', 'dhl', URL.dhlPaket('JJD000390007712244')],
  ['DHL Paket JJD (21)', 'JJD014600003601018373', 'dhl', URL.dhlPaket('JJD014600003601018373')],
  ['Deutsche Post S10 (RR…DE)', s10('RR', '12345678', 'DE'), 'dhl', URL.dhlPaket(s10('RR', '12345678', 'DE'))],
  ['DHL eCommerce GM', 'GM2951173225174494', 'dhl', URL.dhlEcommerce('GM2951173225174494')],
  ['DHL eCommerce GM (20)', 'GM295117494011169042', 'dhl', URL.dhlEcommerce('GM295117494011169042')],
  ['DHL eCommerce IMpb (USPS delivers)', dhlEcomImpb, 'usps', URL.usps(dhlEcomImpb), ['dhl']],
  ['OnTrac C', 'C11031500001879', 'ontrac', URL.ontrac('C11031500001879')],
  ['OnTrac C (b)', 'C10999911320231', 'ontrac', URL.ontrac('C10999911320231')],
  ['OnTrac D', 'D10011354453707', 'ontrac', URL.ontrac('D10011354453707')],
  ['LaserShip 1LS', '1LS723456789012', 'lasership', URL.ontrac('1LS723456789012')],
  ['LaserShip LX', 'LX12345678', 'lasership', URL.ontrac('LX12345678')],
  ['Amazon Logistics TBA', 'TBA502887274000', 'amazon', URL.amazon('TBA502887274000')],
  ['Amazon Logistics TBA (b)', 'TBA010000000000', 'amazon', URL.amazon('TBA010000000000')],
];

describe('carrier detection: the table', () => {
  it('has at least 40 rows', () => expect(TABLE.length).toBeGreaterThanOrEqual(40));

  it.each(TABLE)('%s: %s → %s', (_, number, carrier, url, alternatives) => {
    const detection = detectTracking(number);
    expect(detection.carrier).toBe(carrier);
    expect(trackingUrl(detection.carrier, number)).toBe(url);
    if (alternatives) for (const alternative of alternatives) expect(detection.alternatives).toContain(alternative);
  });

  it('a wrong check digit is not taken for a valid number', () => {
    const good = ups('8A2V41031234567');
    const bad = good.slice(0, -1) + String((Number(good.at(-1)) + 1) % 10);
    expect(detectTracking(bad).carrier).not.toBe('ups');
    const impb = impb22[0];
    expect(detectTracking(impb.slice(0, -1) + String((Number(impb.at(-1)) + 1) % 10)).format).not.toBe('usps-impb');
  });
});

describe('tracking-number identity: one normaliser, two numbers never glued', () => {
  it.each([
    ['1Z-999-AA1-01-2345-6784', ['1Z999AA10123456784']],
    ['1z 999a a101 2345 6784', ['1Z999AA10123456784']],
    ['1Z.999.AA1.01.2345.6784', ['1Z999AA10123456784']],
    ['1Z999AA10123456784 1Z999AA10123456793', ['1Z999AA10123456784', '1Z999AA10123456793']],
    ['1Z999AA10123456784, 1Z999AA10123456793', ['1Z999AA10123456784', '1Z999AA10123456793']],
    ['1Z999AA10123456784;1Z999AA10123456793', ['1Z999AA10123456784', '1Z999AA10123456793']],
    ['1Z999AA10123456784\n9400111899223856470215', ['1Z999AA10123456784', '9400111899223856470215']],
    // White space between numbers that each stand alone (a carrier, or ≥ 10 characters) while the join is no known number.
    ['1Z999AA10123456784 1Z999AA10123456791', ['1Z999AA10123456784', '1Z999AA10123456791']],
    ['1Z999AA10123456784  9400111899223197428490', ['1Z999AA10123456784', '9400111899223197428490']],
    ['1Z999AA10123456784\t1Z999AA10123456791', ['1Z999AA10123456784', '1Z999AA10123456791']],
    // Spaces printed as formatting inside one number.
    ['1Z 999 AA1 01 2345 6784', ['1Z999AA10123456784']],
    ['9400 1000 0000 0000 0000 00', ['9400100000000000000000']],
    ['7489 4793 8820', ['748947938820']],
    ['  ', []],
  ])('%j → %j', (field, numbers) => {
    expect(splitTrackingNumbers(field)).toEqual(numbers);
  });
});
