// The golf suppliers, warehouses and products the generated data is made of.
import type { Address } from '../domain/address.ts';

export interface Product {
  sku: string;
  supplierSku: string;
  name: string;
  description: string;
  costCents: number;
}

export interface SupplierSpec {
  name: string;
  contactName: string;
  contactEmail: string;
  phone: string;
  address: Address;
  /** Shape of the supplier's own order ids. */
  orderIdPrefix: string;
  carriers: readonly ('ups' | 'fedex' | 'usps')[];
  /** UPS shipper account (6 characters), used in its 1Z numbers. */
  upsAccount: string;
  products: Product[];
}

function products(brand: string, code: string, items: [string, string, number][]): Product[] {
  return items.map(([name, description, dollars], i) => ({
    sku: `${code}-${name.replace(/[^A-Za-z0-9]+/g, '-').toUpperCase()}`.slice(0, 40),
    supplierSku: `${code}${String(10_000 + i * 37).padStart(6, '0')}`,
    name: `${brand} ${name}`,
    description,
    costCents: Math.round(dollars * 100),
  }));
}

export const SUPPLIERS: SupplierSpec[] = [
  {
    name: 'Acushnet', contactName: 'Dana Whitfield', contactEmail: 'orders@acushnet.example', phone: '+1 508-979-2000',
    address: { line1: '333 Bridge St', city: 'Fairhaven', state: 'MA', postal_code: '02719', country: 'US' },
    orderIdPrefix: 'AC', carriers: ['ups', 'fedex'], upsAccount: '8A2V41',
    products: products('Titleist', 'TIT', [
      ['Pro V1 Golf Balls (dozen)', 'Tour-level ball, white', 34.5], ['Pro V1x Golf Balls (dozen)', 'Higher flight, firmer feel', 34.5],
      ['GT2 Driver 9', 'GT2 driver, 9 degree, stiff shaft', 389], ['GT3 Fairway 15', '3-wood, 15 degree', 229],
      ['T100 Irons 4-PW', 'Seven-iron set, steel shafts', 899], ['Vokey SM10 Wedge 56', 'Sand wedge, 56/10 S grind', 119],
      ['Scotty Cameron Newport 2', 'Blade putter, 34 inch', 289], ['Players 4 Stand Bag', 'Stand bag, black', 169],
      ['FootJoy Premiere Shoes 10', 'Spikeless, white, size 10', 119], ['StaDry Gloves M', 'Rain gloves, pair, medium', 18],
    ]),
  },
  {
    name: 'TaylorMade', contactName: 'Luis Ortega', contactEmail: 'po@taylormade.example', phone: '+1 760-918-6000',
    address: { line1: '5545 Fermi Ct', city: 'Carlsbad', state: 'CA', postal_code: '92008', country: 'US' },
    orderIdPrefix: 'TM', carriers: ['fedex', 'ups'], upsAccount: '4F7K22',
    products: products('TaylorMade', 'TM', [
      ['Qi35 Driver 10.5', 'Driver, 10.5 degree, regular flex', 379], ['Qi35 Fairway 3HL', 'Fairway wood, 16.5 degree', 219],
      ['P790 Irons 5-PW', 'Six-iron set, steel', 849], ['MG4 Wedge 60', 'Lob wedge, 60 degree', 109],
      ['Spider Tour Putter', 'Mallet putter, 35 inch', 279], ['TP5 Golf Balls (dozen)', 'Five-layer tour ball', 32.5],
      ['Tour Response Balls (dozen)', 'Urethane cover, soft', 24], ['Flextech Carry Bag', 'Carry bag, navy', 159],
    ]),
  },
  {
    name: 'Cobra Puma Golf', contactName: 'Priya Nair', contactEmail: 'orders@cobragolf.example', phone: '+1 800-917-3300',
    address: { line1: '1818 Aston Ave', city: 'Carlsbad', state: 'CA', postal_code: '92008', country: 'US' },
    orderIdPrefix: 'FD', carriers: ['fedex'], upsAccount: '7C1P90',
    products: products('Cobra', 'COB', [
      ['DS Adapt Driver', 'Adjustable driver, 9-12 degree', 349], ['DS Adapt 7 Wood', 'Fairway wood, 21 degree', 199],
      ['King Tec Irons 5-GW', 'Seven-iron set, graphite', 799], ['Snakebite Wedge 52', 'Gap wedge, 52 degree', 99],
      ['Puma Ignite Shoes 9', 'Spiked, grey, size 9', 89], ['Puma Pounce Cap', 'Cap, one size', 24],
    ]),
  },
  {
    name: 'Callaway', contactName: 'Megan Brooks', contactEmail: 'supply@callaway.example', phone: '+1 760-931-1771',
    address: { line1: '2180 Rutherford Rd', city: 'Carlsbad', state: 'CA', postal_code: '92008', country: 'US' },
    orderIdPrefix: 'CW', carriers: ['ups', 'usps'], upsAccount: '2R9W33',
    products: products('Callaway', 'CAL', [
      ['Elyte Driver 9', 'Driver, 9 degree, stiff', 369], ['Apex Ai200 Irons 4-PW', 'Forged irons, steel', 1199],
      ['Chrome Tour Balls (dozen)', 'Tour ball, white', 32.5], ['Supersoft Balls (dozen)', 'Low compression', 16],
      ['Odyssey Ai-One Putter', 'Mallet putter, 34 inch', 229], ['Fairway C Stand Bag', 'Stand bag, grey', 189],
    ]),
  },
  {
    name: 'Ping', contactName: 'Ethan Solheim', contactEmail: 'orders@ping.example', phone: '+1 602-687-5000',
    address: { line1: '2201 W Desert Cove Ave', city: 'Phoenix', state: 'AZ', postal_code: '85029', country: 'US' },
    orderIdPrefix: 'PG', carriers: ['ups'], upsAccount: '5P1N67',
    products: products('Ping', 'PNG', [
      ['G440 Max Driver', 'Driver, 10.5 degree, regular', 349], ['i530 Irons 5-PW', 'Hollow-body irons, steel', 999],
      ['Glide 4.0 Wedge 58', 'Lob wedge, 58 degree', 119], ['PLD Anser Putter', 'Milled blade putter', 449],
    ]),
  },
];

export const WAREHOUSES: { name: string; address: Address; locations: string[] }[] = [
  {
    name: 'Main Store Stockroom',
    address: { name: 'Fairway Pro Shop', line1: '120 Links Dr', city: 'Scottsdale', state: 'AZ', postal_code: '85255', country: 'US' },
    locations: ['Receiving', 'Aisle A', 'Aisle B'],
  },
  {
    name: 'East Distribution Center',
    address: { name: 'Fairway Pro Shop DC', line1: '45 Commerce Pkwy', city: 'Columbus', state: 'OH', postal_code: '43215', country: 'US' },
    locations: ['Dock 1', 'Bulk'],
  },
];

export const CHECKPOINT_CITIES = [
  'Louisville, KY', 'Memphis, TN', 'Indianapolis, IN', 'Dallas, TX', 'Ontario, CA', 'Phoenix, AZ', 'Chicago, IL',
  'Atlanta, GA', 'Columbus, OH', 'Salt Lake City, UT', 'Denver, CO', 'Scottsdale, AZ',
];
