/**
 * HTTP dates (RFC 9110 §5.6.7). A recipient must accept all three formats, so all three
 * are read: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, the one senders use), and the
 * obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
 * (`Sun Nov  6 08:49:37 1994`) formats. The grammar is case-sensitive; anything else —
 * `Date.parse`'s many other forms, a time zone other than GMT, 31 February — is refused.
 */

const dayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const longDayNames = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const time = '(\\d{2}):(\\d{2}):(\\d{2})';
const month = `(${monthNames.join('|')})`;
const imfFixdate = new RegExp(`^(?:${dayNames.join('|')}), (\\d{2}) ${month} (\\d{4}) ${time} GMT$`);
const rfc850Date = new RegExp(`^(?:${longDayNames.join('|')}), (\\d{2})-${month}-(\\d{2}) ${time} GMT$`);
const asctimeDate = new RegExp(`^(?:${dayNames.join('|')}) ${month} ( \\d|\\d{2}) ${time} (\\d{4})$`);

/** Epoch ms of the fields, or NaN when one is out of range (hour 24, 30 February). */
function instant(year: number, monthName: string, day: number, hour: number, minute: number, second: number): number {
  const monthIndex = monthNames.indexOf(monthName);
  // Second 60 is a leap second (RFC 9110 allows it); it reads as the next minute's 0.
  if (hour > 23 || minute > 59 || second > 60 || day < 1) return NaN;
  const at = new Date(Date.UTC(year, monthIndex, day, hour, minute, Math.min(second, 59)));
  // Date.UTC maps years 0–99 to 1900–1999; every format here has the full year by now.
  at.setUTCFullYear(year, monthIndex, day);
  if (at.getUTCDate() !== day) return NaN;
  return at.getTime() + (second === 60 ? 1000 : 0);
}

/**
 * The epoch milliseconds of an HTTP date, or `undefined` when `text` is not one.
 * A two-digit RFC 850 year is read as RFC 9110 says: the year with those last two digits
 * that is not more than 50 years after `now`.
 */
export function parseHttpDate(text: string, now: number): number | undefined {
  let match = imfFixdate.exec(text);
  let at = NaN;
  if (match !== null) {
    const [, day, monthName = '', year, hour, minute, second] = match;
    at = instant(Number(year), monthName, Number(day), Number(hour), Number(minute), Number(second));
  } else if ((match = rfc850Date.exec(text)) !== null) {
    const [, day, monthName = '', shortYear, hour, minute, second] = match;
    const currentYear = new Date(now).getUTCFullYear();
    let year = currentYear - (currentYear % 100) + Number(shortYear);
    if (year > currentYear + 50) year -= 100;
    at = instant(year, monthName, Number(day), Number(hour), Number(minute), Number(second));
  } else if ((match = asctimeDate.exec(text)) !== null) {
    const [, monthName = '', day = '', hour, minute, second, year] = match;
    at = instant(Number(year), monthName, Number(day.trim()), Number(hour), Number(minute), Number(second));
  }
  return Number.isFinite(at) ? at : undefined;
}
