import TthcModeFilter from './TthcModeFilter.js';

export default {
  __init__: ['tthcMode'],
  tthcMode: ['type', TthcModeFilter],
};
