import LiveValidation from './LiveValidation.js';

export default {
  __init__: ['tthcLiveValidation'],
  tthcLiveValidation: ['type', LiveValidation],
};
