import { join } from 'node:path';
import {
  AsciiSession,
  FixMsgAsciiStoreResend,
  MsgTag,
  MsgType,
  SegmentType,
  SessionId,
  SessionState,
  type FixDefinitions,
  type IFixMsgStore,
  type IJsFixConfig,
  type ILooseObject,
  type MsgTransport,
  type MsgView,
} from 'jspurefix';
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { markLoggedOn } from './jspurefix.ts';
import { AwaitedSeqs } from './awaited-seqs.ts';
import { SentJournal } from './journal.ts';
import { isFileSafeCompId } from './store.ts';
import { hasUnknownTag, Reason, reverseRoute, sessionProblem } from './validate.ts';
import { skipGarbledFraming } from './framing.ts';

/**
 * A Logon's HeartBtInt (108) the session can keep, or why not (decision 292): the library times the peer out
 * after its own interval, so 0 or less dropped the connection a moment after the Logon with no word, and a
 * number of seconds past an hour left a dead peer's session open for that long.
 */
export function heartBtIntProblem(text: string | null): string | undefined {
  if (text !== null && /^[0-9]{1,4}$/.test(text) && Number(text) >= 1 && Number(text) <= 3600) return undefined;
  return `HeartBtInt (108) must be a whole number of seconds from 1 to 3600, got '${text ?? ''}'`;
}

/** How far a message's SendingTime may be from this host's clock (QuickFIX's MaxLatency default). */
const MAX_SENDING_TIME_OFF_MS = 120_000;

/** Why a message's SendingTime (52) is too far from this host's clock, or undefined. */
function sendingTimeProblem(view: MsgView): string | undefined {
  const sent = view.getTyped(MsgTag.SendingTime);
  const off = sent instanceof Date ? Math.abs(sent.getTime() - Date.now()) : 0;
  return off > MAX_SENDING_TIME_OFF_MS ? `SendingTime accuracy problem: SendingTime (52) is ${Math.round(off / 1000)} s from this host's clock (at most ${MAX_SENDING_TIME_OFF_MS / 1000} s)` : undefined;
}

/** Why a stranger's first message is garbled (a wrong CheckSum or BodyLength, a MsgSeqNum that is no number) or not of this session's version, or undefined. */
function garbledFirstMessage(view: MsgView, beginString: string, definitions: FixDefinitions): string | undefined {
  // QuickFIX's acceptance case 1d (wrong BeginString): no session of another version exists to answer in.
  const begin = view.getString(MsgTag.BeginString) ?? '';
  if (begin !== beginString) return `first message's BeginString '${begin}' is not ${beginString}`;
  return garbled(view, definitions);
}

/**
 * Why a message is garbled (FIX: a wrong CheckSum or BodyLength, a MsgSeqNum that is no number, a header without its
 * SenderCompID or TargetCompID because a tag was garbled on the wire), or undefined. A well-formed message that
 * lacks SenderCompID or TargetCompID, or has one empty, is not garbled: it gets a session Reject naming the tag
 * (QuickFIX's cases 14b, 14d; decision 301); only one that also holds a tag no FIX field has (QuickFIX's 2d, 3c:
 * `4garbled9=`) is.
 */
function garbled(view: MsgView, definitions: FixDefinitions): string | undefined {
  if ((!view.getString(MsgTag.SenderCompID) || !view.getString(MsgTag.TargetCompID)) && hasUnknownTag(view, definitions)) return 'garbled message: no SenderCompID (49) or TargetCompID (56), and a garbled tag';
  const received = view.getString(MsgTag.CheckSum) ?? '';
  if (!/^\d{3}$/.test(received) || Number(received) !== view.checksum()) return `garbled message: CheckSum ${received || '(none)'} is not ${view.checksum()}`;
  // The library reads a message up to its CheckSum and never compares BodyLength: the body (from MsgType to
  // the CheckSum field) is measured here from the tag positions the view holds.
  const tags = view.structure?.tags;
  const declared = view.getString(MsgTag.BodyLength) ?? '';
  // tagPos is a reused array: its first nextTagPos entries are this message's fields, the CheckSum last.
  if (tags !== undefined && tags.nextTagPos > 3) {
    const length = tags.tagPos[1]!;
    const last = tags.tagPos[tags.nextTagPos - 2]!;
    const body = last.start + last.len + 1 - (length.start + length.len + 1);
    if (!/^\d{1,7}$/.test(declared) || Number(declared) !== body) return `garbled message: BodyLength ${declared || '(none)'} is not ${body}`;
  }
  const seq = view.getString(MsgTag.MsgSeqNum) ?? '';
  // A SequenceReset-Reset's MsgSeqNum is ignored by FIX (QuickFIX's cases 11a-c send 0): any whole number will do.
  const reset = view.getString(MsgTag.MsgType) === MsgType.SequenceReset && view.getTyped(MsgTag.GapFillFlag) !== true;
  if (!(reset ? /^\d{1,16}$/ : /^[1-9]\d{0,15}$/).test(seq)) return `garbled message: MsgSeqNum '${seq}' is not a whole number >= 1`;
  return undefined;
}

/** Most messages a session holds ahead of a gap (waiting for the peer's resends); past that it logs the peer out. */
const MAX_AHEAD = 10_000;

/** What an Ordo FIX session tells its owner (acceptor component or venue gateway). */
export interface SessionHooks {
  /** A peer's Logon: undefined to let it in, or the reason it is refused (sent in the Logout). */
  logon(peerCompId: string, targetCompId: string, password: string | undefined): string | undefined;
  ready(session: OrdoFixSession): void;
  message(session: OrdoFixSession, msgType: string, body: ILooseObject, seqNum: number, possDup: boolean): void;
  stopped(session: OrdoFixSession, reason: string | undefined): void;
  /** A connection refused because its peer's session is logged on from another connection (the logged-on one goes on). */
  duplicate?(peerCompId: string, reason: string): void;
  /** Every message in and out, as text with '|' delimiters (counterparty logs, tests). */
  traffic?(session: OrdoFixSession, direction: 'in' | 'out', text: string): void;
}

/**
 * One FIX session of Ordo's (either side), on jspurefix's AsciiSession: the
 * library runs logon, heartbeats, test requests, sequence checks, resend
 * requests and gap fills; this class only adds what Ordo needs on top:
 * - answering a ResendRequest from the persistent message store (the
 *   library's default answers with gap fills only), application messages
 *   resent with PossDupFlag, session messages gap-filled;
 * - a Logout with the reason before the library drops a peer whose MsgSeqNum
 *   is too low (it would hang up silently);
 * - hooks to the owner.
 */
export class OrdoFixSession extends AsciiSession {
  peerCompId: string | undefined;
  private logonSeq: number | undefined;
  /** Set while the library checks a message whose MsgSeqNum is already known to be too low. */
  private tooLow: string | undefined;
  /** Why a logged-on session's message was refused and the session ended (headerRefused). */
  private refusal: string | undefined;
  private stopReason: string | undefined;

  private journal: SentJournal | undefined;
  /** An acceptor that learns its peer from the first Logon (TargetCompID '*'); until then the peer is a stranger. */
  private readonly acceptsAnyPeer: boolean;
  private firstSeen = false;
  /** The peer's numbers skipped and not yet received: resends of these are applied, other repeats ignored. */
  private readonly awaited = new AwaitedSeqs();
  /**
   * Messages that came ahead of a gap, by MsgSeqNum, held until the gap is filled (QuickFIX's acceptance case 2b):
   * a copy of each (the library reuses its buffers). `answered`: a ResendRequest, answered when it came.
   */
  private readonly ahead = new Map<number, { readonly msgType: string; readonly view: MsgView; readonly answered: boolean }>();
  /** A ResendRequest for the gap in front of `ahead` is out. */
  private gapAsked = false;
  private draining = false;

  /** @param journalDir where application messages sent are journalled for resends (none: gap fills only). */
  constructor(
    config: IJsFixConfig,
    private readonly hooks: SessionHooks,
    private readonly journalDir?: string,
  ) {
    super(config);
    this.heartbeat = true;
    this.acceptsAnyPeer = config.description.TargetCompID === '*';
    // The library's integrity check (an acceptor's: checkMsgIntegrity) runs after its sequence check; it is private
    // in its typings, so Ordo's is put in its place on this instance (decision 301): RefTagID named, reason codes as
    // FIX's, enums, formats, repeats, order and group counts checked, the CheckSum not summed a second time.
    (this as unknown as { checkIntegrity: (msgType: string, view: MsgView) => boolean }).checkIntegrity = (msgType, view) => this.integrity(msgType, view);
  }

  /** The dictionary the session's messages are read with. */
  private get definitions(): FixDefinitions {
    return this.config.definitions;
  }

  /** CheckSum of the message being handled was compared already (by `garbled`): not summed again. */
  private sumChecked = false;

  /**
   * Ordo's integrity check of a message the sequence check took (in the library's place; decision 301): an unknown
   * MsgType (373=11), then `sessionProblem`'s findings, each a session Reject naming the tag (371), routed back
   * (OnBehalfOf / DeliverTo reversed). The message is not applied; its number stays taken (FIX). False when rejected.
   */
  private integrity(msgType: string, view: MsgView): boolean {
    const seq = (view.getTyped(MsgTag.MsgSeqNum) as number | undefined) ?? 0;
    if (!this.sumChecked) {
      const received = view.getString(MsgTag.CheckSum) ?? '';
      if (Number(received) !== view.checksum()) {
        this.rejectMsg(view, msgType, seq, `CheckSum ${received} is not ${view.checksum()}`, Reason.ValueOutOfRange, MsgTag.CheckSum);
        return false;
      }
    }
    if (view.segment.type === SegmentType.Unknown) {
      this.rejectMsg(view, msgType, seq, `Invalid MsgType: '${msgType}' is no FIX message type`, 11, MsgTag.MsgType);
      return false;
    }
    // A Logon's problems are onLogon's: one Logout naming why (a Reject would leave the peer waiting).
    if (msgType === MsgType.Logon) return true;
    const problem = sessionProblem(view, this.definitions);
    if (problem === undefined) return true;
    this.rejectMsg(view, msgType, seq, problem.text, problem.reason, problem.tag);
    return false;
  }

  /** A session Reject (35=3) of `view`: RefSeqNum, RefMsgType, the reason, RefTagID when given, the route back. */
  private rejectMsg(view: MsgView, msgType: string, seq: number, text: string, reason: number, tag?: number): void {
    const reject = this.config.factory?.reject(msgType, seq, text, reason);
    if (!reject) return;
    const route = reverseRoute(view);
    this.send(MsgType.Reject, { ...reject, ...(tag !== undefined ? { RefTagID: tag } : {}), ...(route ? { StandardHeader: route } : {}) });
  }

  /** Runs the session on a new connection, with Nagle's algorithm off (FIX messages are small and latency-bound). */
  override run(transport: MsgTransport): Promise<number> {
    (transport.duplex as { socket?: Socket } | undefined)?.socket?.setNoDelay(true);
    // jspurefix's parser and encoder re-emit their socket's errors; once the session has let go of them
    // (the peer closed first), a late ECONNRESET/EPIPE finds no listener and is thrown as an uncaught
    // exception, which would take the whole host down (seen when a venue link is cut). The session has
    // already ended by then; nothing more to do.
    for (const side of [transport.receiver, transport.transmitter] as unknown as (EventEmitter | undefined)[]) side?.on('error', () => undefined);
    // A logged-on acceptor's garbled framing (QuickFIX 2t) is skipped, not the connection's end (decision 301).
    const loggedOn = (): boolean => {
      const state = this.getState();
      return this.peerCompId !== undefined && state !== SessionState.WaitingForALogon && state !== SessionState.NetworkConnectionEstablished && state !== SessionState.Stopped;
    };
    if (this.acceptor) skipGarbledFraming(transport.receiver, loggedOn);
    return super.run(transport);
  }

  /** Sends an application message (the library stamps the header and sequence number) and journals it for resends. */
  sendApp(msgType: string, body: ILooseObject): void {
    this.send(msgType, body, (err, sent) => {
      const seq = sent.header?.['MsgSeqNum'] as number | undefined;
      if (!err && seq !== undefined) this.sentJournal()?.add(seq, msgType, body);
    });
  }

  /**
   * The journal of this session's peer (opened on first use; it lives in a file, across connections
   * and host restarts). A ResendRequest can come before this connection has sent any application
   * message (a client restarted with nothing new owed): it must still be answered from the file.
   */
  private sentJournal(): SentJournal | undefined {
    if (this.journalDir === undefined || this.peerCompId === undefined || !isFileSafeCompId(this.peerCompId)) return undefined;
    this.journal ??= new SentJournal(join(this.journalDir, `${this.config.description.BeginString}-${this.config.description.SenderCompId}-${this.peerCompId}.sent.jsonl`));
    return this.journal;
  }

  /** Logs out with a reason (the peer is told why). */
  logout(reason: string): void {
    this.stopReason = reason;
    if (this.getState() === SessionState.ActiveNormalSession) this.sendLogout(reason);
    this.done();
  }

  /**
   * Bytes written and not yet taken by the peer: the socket's buffer plus what
   * the library's encoder holds back while the socket is full (a message not yet
   * encoded counted as 256 bytes). A slow reader makes this grow.
   */
  get backlogBytes(): number {
    const t = this.transport as unknown as { duplex?: { socket?: Socket }; transmitter?: { encodeStream?: { readableLength: number; writableLength: number } } } | undefined;
    const enc = t?.transmitter?.encodeStream;
    return (t?.duplex?.socket?.writableLength ?? 0) + (enc?.readableLength ?? 0) + 256 * (enc?.writableLength ?? 0);
  }

  /**
   * Whether application messages may go out: not once a Logout is sent or answered (the peer reads nothing after
   * it; QuickFIX's initiator drops the connection on it). Ordo sent the reports that came in between after its
   * Logout answer (QuickFIX's 14e showed it); now they wait for the next logon (decision 301).
   */
  get takesApp(): boolean {
    const state = this.getState();
    return state !== SessionState.ConfirmingLogout && state !== SessionState.WaitingLogoutConfirm && state !== SessionState.Stopped;
  }

  get nextOutSeq(): number {
    return this.lastSentSeqNum() + 1;
  }

  get lastInSeq(): number {
    return this.lastPeerSeqNum();
  }

  protected override onMsg(msgType: string, view: MsgView): void {
    this.sumChecked = false;
    // A stranger's first message is checked before the library binds a session to its SenderCompID (and opens
    // that client's stored sequence numbers): a garbled one ends the connection without an answer, as FIX says
    // of a garbled Logon, instead of a Reject sent (and counted) on a real client's session.
    if (this.acceptsAnyPeer && !this.firstSeen) {
      this.firstSeen = true;
      const garbled = garbledFirstMessage(view, this.config.description.BeginString, this.definitions);
      this.sumChecked = true;
      if (garbled !== undefined) {
        this.terminate(new Error(garbled));
        return;
      }
      if (msgType === MsgType.Logon && this.refusedAsDuplicate(view)) return;
    }
    const seq = view.getTyped(MsgTag.MsgSeqNum) as number | undefined;
    const possDup = view.getTyped(MsgTag.PossDupFlag) === true;
    const reset = view.getTyped(MsgTag.ResetSeqNumFlag) === true;
    if (msgType === MsgType.Logon) this.logonSeq = reset ? undefined : seq;
    const bound = this.getState() !== SessionState.WaitingForALogon && this.getState() !== SessionState.NetworkConnectionEstablished;
    if (msgType === MsgType.Logon && reset) this.awaited.clear();
    // A garbled message of a logged-on session is ignored, not rejected and not counted (FIX; QuickFIX's cases 2d,
    // 2m, 3b, 3c): the next good one finds the gap and asks for it again. It was rejected (and counted), or, with
    // its SenderCompID garbled, refused as another session's and the session ended (decision 297).
    if (bound && garbled(view, this.definitions) !== undefined) return;
    if (bound) this.sumChecked = true;
    if (bound && msgType !== MsgType.Logon && this.headerRefused(msgType, view, seq)) return;
    // An acceptor's only (an initiator's Logon answer comes while it is bound).
    if (bound && this.acceptor && msgType === MsgType.Logon && this.getState() !== SessionState.WaitingForALogon && this.secondLogonRefused(view, seq)) return;
    if (bound && seq !== undefined && possDup && msgType !== MsgType.SequenceReset && this.possDupHandled(msgType, view, seq)) return;
    // A GapFill below the expected number (FIX; QuickFIX's 10 MsgSeqNumLess; decision 301): with PossDupFlag Y a
    // repeat, ignored, unless it fills a gap this session saw; without, a MsgSeqNum too low, a Logout saying so. The
    // library took every SequenceReset whatever its number. (A GapFill's OrigSendingTime is not asked for: QuickFIX
    // skips its PossDup checks for SequenceReset.)
    if (bound && seq !== undefined && msgType === MsgType.SequenceReset && view.getTyped(MsgTag.GapFillFlag) === true && seq <= this.lastPeerSeqNum()) {
      if (!possDup) {
        this.refuse(`MsgSeqNum too low, expecting ${this.lastPeerSeqNum() + 1} but received ${seq}`);
        return;
      }
      if (!this.awaited.takeRange(seq, ((view.getTyped(MsgTag.NewSeqNo) as number | undefined) ?? seq + 1) - 1)) return;
    }
    // A Logout ahead of a gap is answered, not asked about: the peer is leaving, and its number is not taken, so the
    // gap is found again at its next Logon (QuickFIX does the same; its RejectResentMessage case). The library asked
    // for a resend first and took the Logout's number, skipping the gap for good.
    if (bound && seq !== undefined && msgType === MsgType.Logout && seq > this.lastPeerSeqNum() + 1 && this.getState() !== SessionState.WaitingForALogon) {
      this.onSessionMsg(msgType, view);
      return;
    }
    if (bound && seq !== undefined && seq > this.lastPeerSeqNum() + 1 && this.heldAhead(msgType, view, seq)) return;
    if (bound && seq !== undefined && msgType !== MsgType.SequenceReset && seq > this.lastPeerSeqNum() + 1) this.awaited.add(this.lastPeerSeqNum() + 1, seq - 1);
    if (bound && seq !== undefined && !possDup && msgType !== MsgType.SequenceReset && seq <= this.lastPeerSeqNum()) {
      this.tooLow = `MsgSeqNum too low, expecting ${this.lastPeerSeqNum() + 1} but received ${seq}`;
    }
    try {
      super.onMsg(msgType, view);
    } finally {
      this.tooLow = undefined;
      this.sumChecked = false;
    }
    if (this.ahead.size > 0) this.drainAhead();
  }

  /**
   * A message whose MsgSeqNum is past the next expected one (a gap): held, not applied, until the messages before it
   * have come (resent, or gap-filled), then applied in order (FIX; QuickFIX's acceptance case 2b; decision 297). The
   * first such message of a gap asks for a resend from the expected number to infinity (EndSeqNo 0). The library
   * applied it at once and took its number as the last received, so a D sent before an F could be applied after it
   * (the F refused as an unknown order). A Logon, a Logout and a SequenceReset that is no GapFill are the library's
   * as before; a ResendRequest is answered at once (the peer waits for it) and held only to count its number.
   * True when held.
   */
  private heldAhead(msgType: string, view: MsgView, seq: number): boolean {
    if (this.getState() === SessionState.WaitingForALogon || msgType === MsgType.Logon || msgType === MsgType.Logout) return false;
    if (msgType === MsgType.SequenceReset && view.getTyped(MsgTag.GapFillFlag) !== true) return false;
    if (this.ahead.size >= MAX_AHEAD) {
      this.refuse(`more than ${MAX_AHEAD} messages came ahead of MsgSeqNum ${this.lastPeerSeqNum() + 1}, which was not resent`);
      return true;
    }
    const answered = msgType === MsgType.ResendRequest;
    if (!this.ahead.has(seq)) this.ahead.set(seq, { msgType, view: view.clone(), answered });
    if (!this.gapAsked) {
      this.gapAsked = true;
      const resend = this.config.factory?.resendRequest(this.lastPeerSeqNum() + 1, 0);
      if (resend) this.send(MsgType.ResendRequest, resend);
    }
    if (answered) this.onResendRequest(view);
    return true;
  }

  /** Applies the held messages that are next in order now (a resend or a gap fill came); drops those a gap fill skipped. */
  private drainAhead(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        if (this.getState() === SessionState.Stopped) {
          this.ahead.clear();
          break;
        }
        const next = this.lastPeerSeqNum() + 1;
        for (const k of this.ahead.keys()) if (k < next) this.ahead.delete(k);
        const held = this.ahead.get(next);
        if (held === undefined) break;
        this.ahead.delete(next);
        if (held.answered) this.countReceived(next);
        else this.onMsg(held.msgType, held.view);
      }
    } finally {
      this.draining = false;
    }
    if (this.ahead.size === 0) this.gapAsked = false;
  }

  /**
   * A message sent again (PossDupFlag Y), as FIX 4.4 says of it: without OrigSendingTime (122) it gets a session
   * Reject (required tag missing) and is not applied; one whose MsgSeqNum was already received (not one this
   * session asked for in a ResendRequest and still waits for) is ignored, not applied twice and not rejected.
   * The library forwarded every PossDup message whose number was not new, so a resent F or G was applied again.
   * True when the message was handled here (not to go on to the library).
   */
  private possDupHandled(msgType: string, view: MsgView, seq: number): boolean {
    const expected = this.lastPeerSeqNum() + 1;
    const orig = view.getTyped(MsgTag.OrigSendingTime);
    if (orig == null) {
      this.rejectMsg(view, msgType, seq, 'OrigSendingTime (122) is required when PossDupFlag (43) is Y', Reason.RequiredTagMissing, MsgTag.OrigSendingTime);
      // A rejected message still takes its number; a later one finds the gap as usual.
      if (seq === expected) this.countReceived(seq);
      return true;
    }
    // FIX: OrigSendingTime after SendingTime is a SendingTime accuracy problem: a Reject (10), then a Logout
    // (QuickFIX's 2f; decision 301). It was taken.
    const sent = view.getTyped(MsgTag.SendingTime);
    if (orig instanceof Date && sent instanceof Date && orig.getTime() > sent.getTime()) {
      const why = `SendingTime accuracy problem: OrigSendingTime (122) is after SendingTime (52)`;
      this.rejectMsg(view, msgType, seq, why, Reason.SendingTimeAccuracy, MsgTag.OrigSendingTime);
      if (seq === expected) this.countReceived(seq);
      this.refuse(why);
      return true;
    }
    if (seq >= expected) return false;
    // Below the expected number: applied only when it fills a gap this session saw (and asked a resend of).
    return !this.awaited.take(seq);
  }

  /**
   * A Logon for a session already logged on (or logging on) from another connection (QuickFIX's acceptance cases 1b
   * and AlreadyLoggedOn; FIX's session test 1S b): the newcomer is closed without a message, and the logged-on
   * session goes on (decision 297). The library's registry stopped the logged-on session and gave its numbers to the
   * newcomer, before the newcomer's Logon was even judged (its password checked). No Logout: on a connection the
   * session's numbers do not belong to, one would take a MsgSeqNum of that session (QuickFIX counts a Logout's
   * number whatever it is), and FIX says to close without a message. Ordo tells its operator (`duplicate`).
   */
  private refusedAsDuplicate(view: MsgView): boolean {
    const peer = view.getString(MsgTag.SenderCompID);
    const own = this.config.description;
    if (!peer || !this.config.sessionRegistry?.get(new SessionId(own.BeginString, own.SenderCompId, peer))) return false;
    const reason = `a second Logon of '${peer}' came on another connection while its session is logged on: that connection was closed without a message, the logged-on session goes on`;
    this.hooks.duplicate?.(peer, reason);
    this.terminate(new Error(reason));
    return true;
  }

  /**
   * A Logon on a session already logged on, on its own connection: a Logout naming why, then the connection closed
   * (decision 297). The library closed it without a word. A Logon with ResetSeqNumFlag Y (an in-session reset,
   * QuickFIX's SessionReset case) is refused the same way, named: Ordo does not reset a logged-on session's numbers.
   */
  private secondLogonRefused(view: MsgView, seq: number | undefined): boolean {
    const reset = view.getTyped(MsgTag.ResetSeqNumFlag) === true;
    if (seq !== undefined && !reset && seq <= this.lastPeerSeqNum()) return false; // MsgSeqNum too low: the library's path
    if (seq === this.lastPeerSeqNum() + 1) this.countReceived(seq);
    this.refuse(
      reset
        ? 'Logon with ResetSeqNumFlag (141) Y on a logged-on session: Ordo does not reset a session in flight; log out, then log on with ResetSeqNumFlag Y'
        : 'Logon received on a session already logged on: a session logs on once a connection',
    );
    return true;
  }

  /**
   * The header checks FIX asks of every message of a logged-on session, which the library skips or does only in
   * part (decision 292; QuickFIX's acceptance cases 2i, 2k, 2o): a BeginString other than the session's ends it
   * with a Logout "Incorrect BeginString"; a SenderCompID or TargetCompID other than the session's gets a Reject
   * (SessionRejectReason 9) naming both, then a Logout; a SendingTime more than 120 s from this machine's clock
   * gets a Reject (10), then a Logout. None of these messages is applied. True when refused.
   */
  private headerRefused(msgType: string, view: MsgView, seq: number | undefined): boolean {
    const own = this.config.description;
    const begin = view.getString(MsgTag.BeginString);
    if (begin !== null && begin !== own.BeginString) {
      this.refuse(`Incorrect BeginString ${begin}: this session is ${own.BeginString}`);
      return true;
    }
    const sender = view.getString(MsgTag.SenderCompID);
    const target = view.getString(MsgTag.TargetCompID);
    let problem: [string, number] | undefined;
    // One missing or empty is the integrity check's (a Reject naming it, 373=1 or 4; QuickFIX's 14b, 14d).
    if (this.peerCompId !== undefined && sender && target && (sender !== this.peerCompId || target !== own.SenderCompId)) {
      problem = [`CompID problem: SenderCompID (49) '${sender ?? ''}' and TargetCompID (56) '${target ?? ''}' are not this session's '${this.peerCompId}' and '${own.SenderCompId}'`, 9];
    } else {
      const late = sendingTimeProblem(view);
      if (late !== undefined) problem = [late, 10];
    }
    if (problem === undefined) return false;
    this.rejectMsg(view, msgType, seq ?? 0, problem[0], problem[1], problem[1] === 9 ? (sender !== this.peerCompId ? MsgTag.SenderCompID : MsgTag.TargetCompID) : MsgTag.SendingTime);
    if (seq === this.lastPeerSeqNum() + 1) this.countReceived(seq);
    this.refuse(problem[0]);
    return true;
  }

  /** Ends the session with a Logout whose Text is `reason` (through `stop`, as a MsgSeqNum too low does). */
  private refuse(reason: string): void {
    this.refusal = reason;
    this.stop();
  }

  /** Counts `seq` as received from the peer, in memory and in the session store, as the library does. */
  private countReceived(seq: number): void {
    (this.sessionState as { lastPeerMsgSeqNum: number }).lastPeerMsgSeqNum = seq;
    const c = (this as unknown as { coordinator?: { onMessageReceived?: (seq: number, possDup: boolean) => Promise<void> } }).coordinator;
    c?.onMessageReceived?.(seq, false).catch(() => undefined);
  }

  /**
   * A SequenceReset that would lower the peer's numbers (NewSeqNo below 1, a GapFill's NewSeqNo not above its own
   * MsgSeqNum, a Reset's below what is expected next) gets a session Reject and changes nothing (FIX: "attempt to
   * lower sequence number, invalid value"); the library took it and then asked for a resend from 0. The
   * message's own number is counted as received. True when refused.
   */
  protected override onSessionMsg(msgType: string, view: MsgView): void {
    const seq = view.getTyped(MsgTag.MsgSeqNum) as number | undefined;
    if (msgType === MsgType.SequenceReset && this.refuseLoweringReset(view, seq)) return;
    if (msgType === MsgType.SequenceReset && seq !== undefined) this.awaited.takeRange(seq, ((view.getTyped(MsgTag.NewSeqNo) as number | undefined) ?? seq) - 1);
    super.onSessionMsg(msgType, view);
  }

  private refuseLoweringReset(view: MsgView, seq: number | undefined): boolean {
    const next = view.getTyped(MsgTag.NewSeqNo) as number | undefined;
    const gapFill = view.getTyped(MsgTag.GapFillFlag) === true;
    const expected = this.lastPeerSeqNum() + 1;
    const lowers = next === undefined || !Number.isSafeInteger(next) || next < 1 || (gapFill ? seq !== undefined && next <= seq : next < expected);
    if (!lowers) return false;
    this.rejectMsg(view, MsgType.SequenceReset, seq ?? 0, `SequenceReset NewSeqNo ${String(next)} would lower the sequence number (expected ${expected})`, Reason.ValueOutOfRange, MsgTag.NewSeqNo);
    if (seq === expected) (this.sessionState as { lastPeerMsgSeqNum: number }).lastPeerMsgSeqNum = seq;
    return true;
  }

  protected override stop(error: Error | null = null): void {
    if (this.getState() !== SessionState.Stopped) {
      let reason = this.tooLow ?? this.refusal;
      if (reason === undefined && this.getState() === SessionState.WaitingForALogon && this.logonSeq !== undefined && this.logonSeq <= this.lastPeerSeqNum()) {
        reason = `MsgSeqNum too low, expecting ${this.lastPeerSeqNum() + 1} but received ${this.logonSeq}`;
      }
      if (reason !== undefined) {
        this.stopReason = reason;
        this.sendLogout(reason);
      }
    }
    super.stop(error);
  }

  protected override onResendRequest(view: MsgView): void {
    this.setState(SessionState.HandleResendRequest);
    const [begin, requestedEnd] = view.getTypedTags([MsgTag.BeginSeqNo, MsgTag.EndSeqNo]) as [number, number];
    // A range that is no range (BeginSeqNo < 1, EndSeqNo before it) is refused with a session Reject: answered as
    // asked it made a SequenceReset that lowers the peer's numbers. An end past what was sent is what was sent
    // (FIX: "respond with the messages up to the last one sent"); the library's gap fill ran to EndSeqNo + 1
    // (a request up to 10^20 moved the peer's expected number there).
    if (!Number.isSafeInteger(begin) || begin < 1 || typeof requestedEnd !== 'number' || !(requestedEnd >= 0) || (requestedEnd !== 0 && requestedEnd < begin)) {
      const seq = (view.getTyped(MsgTag.MsgSeqNum) as number | undefined) ?? 0;
      this.rejectMsg(view, MsgType.ResendRequest, seq, `ResendRequest range ${String(begin)}-${String(requestedEnd)} is not BeginSeqNo >= 1 and EndSeqNo 0 or >= BeginSeqNo`, Reason.ValueOutOfRange, Number.isSafeInteger(begin) && begin >= 1 ? MsgTag.EndSeqNo : MsgTag.BeginSeqNo);
      this.setState(SessionState.ActiveNormalSession);
      return;
    }
    const lastSent = this.lastSentSeqNum();
    const end = requestedEnd === 0 || requestedEnd > lastSent ? lastSent : requestedEnd;
    if (begin > end) {
      // Nothing sent in that range yet: nothing to resend.
      this.setState(SessionState.ActiveNormalSession);
      return;
    }
    // The library's resender would send stored messages with empty bodies (it never parses the
    // stored text back), so application messages come from Ordo's own journal of what it sent.
    const journal = this.sentJournal();
    const appOnly: IFixMsgStore = {
      getSeqNumRange: (from: number, to?: number) => Promise.resolve(journal ? journal.range(from, to ?? end) : []),
    } as unknown as IFixMsgStore;
    new FixMsgAsciiStoreResend(appOnly, this.config)
      .getResendRequest(begin, end)
      .then((records) => {
        for (const r of records) if (r.obj) this.send(r.msgType, r.obj);
        this.setState(SessionState.ActiveNormalSession);
      })
      .catch((err: unknown) => this.sessionLogger.error(err as Error));
  }

  protected onApplicationMsg(msgType: string, view: MsgView): void {
    const seq = (view.getTyped(MsgTag.MsgSeqNum) as number | undefined) ?? 0;
    const possDup = view.getTyped(MsgTag.PossDupFlag) === true;
    this.hooks.message(this, msgType, view.toObject() as ILooseObject, seq, possDup);
  }

  protected onLogon(view: MsgView, _user: string, password: string): boolean | Promise<boolean> {
    const peer = view.getString(MsgTag.SenderCompID) ?? '';
    this.peerCompId = peer;
    const target = view.getString(MsgTag.TargetCompID) ?? '';
    const refusal = this.hooks.logon(peer, target, password || undefined) ?? heartBtIntProblem(view.getString(MsgTag.HeartBtInt)) ?? sendingTimeProblem(view) ?? (this.checkMsgIntegrity ? sessionProblem(view, this.definitions)?.text : undefined);
    if (refusal === undefined) {
      // FIX: both sides heartbeat at the interval of the initiator's Logon, and the acceptor's Logon echoes it
      // (QuickFIX's cases 4a, 6, 21). Ordo answered its own 30 s whatever the client asked.
      if (this.acceptsAnyPeer) {
        const seconds = Number(view.getString(MsgTag.HeartBtInt));
        (this.config.description as { HeartBtInt: number }).HeartBtInt = seconds;
        (this.sessionState as { heartBeat: number }).heartBeat = seconds;
      }
      return true;
    }
    this.stopReason = refusal;
    // A rejected promise makes the library send a Logout carrying this text.
    return Promise.reject(new Error(refusal));
  }

  protected onReady(_view: MsgView): void {
    markLoggedOn(this.transport?.duplex);
    this.hooks.ready(this);
  }

  protected onStopped(error?: Error): void {
    this.hooks.stopped(this, this.stopReason ?? error?.message);
  }

  protected onDecoded(_msgType: string, txt: string): void {
    this.hooks.traffic?.(this, 'in', txt);
  }

  protected onEncoded(_msgType: string, txt: string): void {
    this.hooks.traffic?.(this, 'out', txt);
  }
}
