import { useState, type FormEvent } from 'react';
import { mapProblem, type MappedProblem } from '../api/problem.ts';
import { useSession } from '../auth/session.tsx';
import { FormErrors, TextField } from '../components/ui.tsx';

const none: MappedProblem = { byField: {}, general: [] };

export function SignInPage() {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(none);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(none);
    try {
      await signIn(email, password);
    } catch (error) {
      // The email stays; only the password box is left for another try.
      setProblem(mapProblem(error, ['email', 'password']));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Sign in to Stockroom</h1>
        <FormErrors messages={problem.general} />
        <TextField label="Email" type="email" autoComplete="username" value={email} onValue={setEmail} error={problem.byField.email} autoFocus required />
        <TextField label="Password" type="password" autoComplete="current-password" value={password} onValue={setPassword} error={problem.byField.password} required />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          Trying the demo? <code>npm start</code> printed the demo sign-ins, such as <code>owner@demo.test</code> / <code>demo-owner-pass</code>.
        </p>
      </form>
    </main>
  );
}

export function SetupPage() {
  const { setUp } = useSession();
  const [form, setForm] = useState({ name: '', email: '', password: '', confirm: '' });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(none);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (form.password !== form.confirm) {
      setProblem({ byField: { confirm: 'The two passwords differ' }, general: [] });
      return;
    }
    setBusy(true);
    setProblem(none);
    try {
      await setUp({ name: form.name, email: form.email, password: form.password });
    } catch (error) {
      setProblem(mapProblem(error, ['name', 'email', 'password']));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Welcome to Stockroom</h1>
        <p>Nobody has an account yet. Create the shop’s first owner: you can add everyone else afterwards.</p>
        <FormErrors messages={problem.general} />
        <TextField label="Your name" autoComplete="name" value={form.name} onValue={set('name')} error={problem.byField.name} autoFocus required />
        <TextField label="Email" type="email" autoComplete="username" value={form.email} onValue={set('email')} error={problem.byField.email} required />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          onValue={set('password')}
          error={problem.byField.password}
          hint="At least 12 characters, and not a common password."
          required
        />
        <TextField label="Password again" type="password" autoComplete="new-password" value={form.confirm} onValue={set('confirm')} error={problem.byField.confirm} required />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create the owner and sign in'}
        </button>
      </form>
    </main>
  );
}
