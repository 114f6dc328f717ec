/** Roles shape what an employee types (code, prose, chat, forms) and how much of their active time is keyboard. */
export const ROLE_NAMES = ['engineer', 'designer', 'manager', 'analyst', 'sales', 'support', 'finance', 'hr', 'legal'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const DEPARTMENT_NAMES = ['Engineering', 'Product', 'Sales', 'Support', 'Finance', 'People', 'Legal', 'Operations'] as const;
export type DepartmentName = (typeof DEPARTMENT_NAMES)[number];
