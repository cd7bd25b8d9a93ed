/**
 * Passwords that attackers try first: the head of the public breach-frequency lists, plus
 * the words people pad to reach a length rule ("password" + "2024!"). A candidate is refused
 * when it, or it with trailing digits and symbols removed, is on this list (compared in lower
 * case). It is deliberately small; the length rule does most of the work.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  `
123456 123456789 12345678 password qwerty123 qwerty1 111111 12345 secret 123123 1234567890 1234567 000000 qwerty
abc123 password1 iloveyou 1q2w3e4r 1qaz2wsx qwertyuiop 123321 654321 666666 121212 112233 987654321 7777777
555555 159753 147258369 123654 1234qwer zaq12wsx zaq1zaq1 q1w2e3r4t5 1q2w3e4r5t 1q2w3e4r5t6y qazwsx qazwsxedc
asdfgh asdfghjkl asdf1234 zxcvbnm zxcvbn qweasd qweasdzxc qwe123 qwer1234 1qazxsw2 passw0rd p@ssw0rd p@ssword
pass1234 password123 password1234 password12 passwort motdepasse contrasena senha parola wachtwoord salasana
letmein letmein123 welcome welcome1 welcome123 admin admin123 administrator root toor master master123 login
changeme default guest test test123 testing temp temp123 user user123 demo demo123 access access123 trustno1
dragon monkey monkey123 sunshine princess princess1 football football1 baseball basketball soccer hockey
superman batman spiderman starwars pokemon naruto shadow shadow1 michael jennifer jordan jordan23 hunter hunter2
charlie charlie1 daniel thomas robert andrew joshua matthew jessica ashley amanda michelle nicole samantha
buster ginger tigger pepper maggie bailey cookie chocolate chicken cheese banana orange purple yellow silver
summer winter spring autumn freedom whatever trustme loveme lovely love123 iloveyou1 iloveyou2 fuckyou
qwertyui qwerty12 qwerty123456 1234567891 12345678910 123456789a 123456a a123456 aa123456 abcd1234 abcdef
abcdefg abcdefgh abc12345 aaaaaa aaaaaaaa 11111111 00000000 88888888 99999999 123qwe 123abc 1a2b3c 1a2b3c4d
computer internet samsung google apple iphone android microsoft windows linux facebook youtube twitter
killer hello hello123 hellohello secret123 mypassword mypass yourpassword nopassword nothing something
blink182 metallica slipknot nirvana eminem liverpool chelsea arsenal barcelona realmadrid juventus
mustang ferrari porsche corvette harley yamaha mercedes bmw123 honda civic toyota nissan
jesus jesus1 christ godisgood blessed blessing angel angel1 angels heaven
qwerty7 q1w2e3r4 q1w2e3 1234abcd 12qwaszx 1qaz2wsx3edc zaq123 zxcv1234 asdfasdf qwerqwer
stockroom inventory warehouse shop store retail cashier manager owner staff viewer
correcthorsebatterystaple correct horse battery staple
iloveyou123 sunshine1 princess123 dragon123 monkey1 football123 baseball1 superman1 batman123
trustno11 letmein1 welcome12 password01 password11 password99 passwordpassword qwertyqwerty
123456789012 1234567890123 12345678901 abcdefghijkl abcdefghijklmnop 123456123456 qwerty123qwe
qwertyuiop123 asdfghjkl123 zxcvbnm123 1q2w3e4r5t6y7u 1qaz2wsx3edc4rfv q1w2e3r4t5y6 123qweasdzxc
iloveyouforever letmeinplease thisismypassword mysecretpassword supersecret supersecret1 topsecret
administrator1 adminadmin rootroot changemeplease defaultpassword welcometothejungle
`
    .trim()
    .split(/\s+/),
);
