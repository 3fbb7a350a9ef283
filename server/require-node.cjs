// Run before `npm start` (prestart). Plain ES5 on purpose: it must parse on any old Node to say why it stops.
/* eslint-disable */
var pkg = require('../package.json');
var want = pkg.engines.node; // "^20.19.0": the versions CI runs
var m = /(\d+)\.(\d+)/.exec(want);
var have = process.versions.node.split('.').map(Number);
var min = [Number(m[1]), Number(m[2])];
if (have[0] < min[0] || (have[0] === min[0] && have[1] < min[1])) {
  console.error('\nTTHC platform needs Node.js ' + min.join('.') + ' or newer (package.json engines: "' + want + '"); this is Node.js ' + process.versions.node + '.');
  console.error('Install Node.js 20 LTS (20.19 or newer) and run `npm start` again.\n');
  process.exit(1);
}
if (have[0] > min[0]) {
  console.warn('Note: tested on Node.js ' + min[0] + '.x (' + want + '); running on ' + process.versions.node + '.');
}
