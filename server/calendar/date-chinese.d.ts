// date-chinese ships types but its package "exports" hides them from NodeNext resolution.
declare module 'date-chinese' {
  export class CalendarVietnamese {
    newYear(gregorianYear: number): number;
    fromJDE(jde: number): this;
    get(): [number, number, number, boolean, number];
    set(cycle: number, year: number, month: number, leap: boolean, day: number): this;
    toGregorian(): { year: number; month: number; day: number };
  }
}
