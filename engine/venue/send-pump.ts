// The send loop is shared by the bus and the venue: engine/bus/send-pump.ts.
export { SendPump, settleWithin, type ZmqMessage } from '../bus/send-pump.ts';
