import { useEffect, useRef } from 'react';
import { WedgeDetector, type WedgeOptions } from './wedge.ts';

let audio: AudioContext | null = null;

/** A short beep (WebAudio) and a buzz where the device can: a high one for a good read, a low double one for an unknown code. */
export function signalRead(kind: 'ok' | 'unknown'): void {
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    const tones = kind === 'ok' ? [[1320, 0, 0.08]] : [[330, 0, 0.12], [262, 0.16, 0.2]];
    for (const [freq, start, length] of tones as [number, number, number][]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      osc.type = 'square';
      gain.gain.value = 0.06;
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + start);
      osc.stop(ctx.currentTime + start + length);
    }
  } catch {
    // No audio (autoplay rules, no device): the on-screen mark is enough.
  }
  if (typeof navigator.vibrate === 'function') navigator.vibrate(kind === 'ok' ? 60 : [80, 60, 80]);
}

function setInputValue(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

/**
 * Listens for keyboard-wedge scanners anywhere on the page while mounted. A scan calls `onScan`
 * and its Enter does not submit whatever form had focus; the characters the burst typed into
 * a text field are taken back out, so a scan never lands in the search box as text.
 */
export function useWedgeScanner(onScan: (code: string) => void, options: WedgeOptions & { enabled?: boolean } = {}): void {
  const handler = useRef(onScan);
  handler.current = onScan;
  const enabled = options.enabled ?? true;
  const { maxGapMs, minLength } = options;
  useEffect(() => {
    if (!enabled) return;
    const detector = new WedgeDetector({ maxGapMs, minLength });
    let field: { el: HTMLInputElement | HTMLTextAreaElement; before: string } | null = null;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) {
        detector.reset();
        return;
      }
      const startsBurst = event.key.length === 1 && detector.pending === '';
      const target = event.target;
      const result = detector.push(event.key, event.timeStamp || performance.now());
      if (event.key.length === 1 && (startsBurst || detector.pending.length === 1)) {
        field = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ? { el: target, before: target.value } : null;
      }
      if (result.kind === 'scan') {
        event.preventDefault();
        event.stopPropagation();
        if (field && field.el.dataset.scanField === undefined) setInputValue(field.el, field.before);
        else if (field) setInputValue(field.el, '');
        field = null;
        handler.current(result.code);
      }
    };
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, [enabled, maxGapMs, minLength]);
}

// ---- the camera

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
declare global {
  interface Window {
    BarcodeDetector?: { new (options?: { formats?: string[] }): BarcodeDetectorLike; getSupportedFormats?(): Promise<string[]> };
  }
}

export interface CameraReader {
  stop(): void;
  engine: 'BarcodeDetector' | 'zxing';
}

/**
 * Reads barcodes from the camera into `video`: the browser's BarcodeDetector where there is
 * one, else the zxing library (loaded on first use, so nobody downloads it who never needs it).
 * The same code seen again within 1.5 s is one read.
 */
export async function startCamera(video: HTMLVideoElement, onCode: (code: string) => void): Promise<CameraReader> {
  let last = { code: '', at: 0 };
  const emit = (code: string) => {
    const now = performance.now();
    if (code === last.code && now - last.at < 1500) return;
    last = { code, at: now };
    onCode(code);
  };
  if (window.BarcodeDetector) {
    const formats = (await window.BarcodeDetector.getSupportedFormats?.()) ?? undefined;
    const detector = new window.BarcodeDetector(formats ? { formats } : undefined);
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    video.srcObject = stream;
    await video.play();
    let running = true;
    const tick = async () => {
      if (!running) return;
      try {
        if (video.readyState >= 2) for (const found of await detector.detect(video)) emit(found.rawValue);
      } catch {
        // A frame that cannot be read is skipped.
      }
      if (running) setTimeout(() => void tick(), 120);
    };
    void tick();
    return {
      engine: 'BarcodeDetector',
      stop() {
        running = false;
        for (const track of stream.getTracks()) track.stop();
        video.srcObject = null;
      },
    };
  }
  const { BrowserMultiFormatReader } = await import('@zxing/browser');
  const reader = new BrowserMultiFormatReader();
  const controls = await reader.decodeFromConstraints({ video: { facingMode: 'environment' }, audio: false }, video, (result) => {
    if (result) emit(result.getText());
  });
  return { engine: 'zxing', stop: () => controls.stop() };
}
