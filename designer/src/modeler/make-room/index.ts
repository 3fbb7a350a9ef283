import MakeRoomBehavior from './MakeRoomBehavior.js';

export default {
  __init__: ['tthcMakeRoomBehavior'],
  tthcMakeRoomBehavior: ['type', MakeRoomBehavior],
};
