/**
 * XML for the EC2 (2016-11-15) and Auto Scaling (2011-01-01) Query APIs, in the shapes the AWS SDK v3
 * parsers read (reference/stack.md §6): EC2 lists are `<item>`, Auto Scaling lists are `<member>`.
 */

/** EC2 Query API version and namespace. */
export const EC2_VERSION = '2016-11-15';
/** Auto Scaling Query API version and namespace. */
export const ASG_VERSION = '2011-01-01';

const EC2_NS = `http://ec2.amazonaws.com/doc/${EC2_VERSION}/`;
const ASG_NS = `http://autoscaling.amazonaws.com/doc/${ASG_VERSION}/`;

/** A value or a nested element list; undefined values are left out. */
export type XmlNode = string | number | boolean | undefined | XmlTree | XmlList;
/** Named children, in order. */
export interface XmlTree {
  readonly [name: string]: XmlNode;
}
/** A list rendered as repeated `<item>` or `<member>` elements. */
export interface XmlList {
  readonly list: readonly XmlNode[];
}

/** Escapes text for an XML element body. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`,
  );
}

function isList(node: XmlNode): node is XmlList {
  return typeof node === 'object' && Array.isArray((node as XmlList).list);
}

/** Renders a node tree; `listTag` is `item` (EC2) or `member` (Auto Scaling). */
export function renderXml(tree: XmlTree, listTag: 'item' | 'member'): string {
  const renderNode = (node: XmlNode): string => {
    if (node === undefined) return '';
    if (isList(node)) return node.list.map((n) => `<${listTag}>${renderNode(n)}</${listTag}>`).join('');
    if (typeof node === 'object') {
      return Object.entries(node)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `<${k}>${renderNode(v)}</${k}>`)
        .join('');
    }
    return escapeXml(String(node));
  };
  return renderNode(tree);
}

/** `<ActionResponse xmlns=ec2><requestId/>…</ActionResponse>`. */
export function ec2Response(action: string, requestId: string, body: XmlTree): string {
  const inner = renderXml({ requestId, ...body }, 'item');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}">${inner}</${action}Response>`;
}

/** `<ActionResponse xmlns=asg><ActionResult>…</ActionResult><ResponseMetadata/></ActionResponse>`. */
export function asgResponse(action: string, requestId: string, result: XmlTree): string {
  const inner = renderXml(
    { [`${action}Result`]: result, ResponseMetadata: { RequestId: requestId } },
    'member',
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${ASG_NS}">${inner}</${action}Response>`;
}

/** EC2 error document: `<Response><Errors><Error><Code>…`. */
export function ec2Error(code: string, message: string, requestId: string): string {
  const inner = renderXml(
    { Errors: { Error: { Code: code, Message: message } }, RequestID: requestId },
    'item',
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response>${inner}</Response>`;
}

/** Auto Scaling error document: `<ErrorResponse><Error><Type>Sender</Type><Code>…`. */
export function asgError(code: string, message: string, requestId: string, type = 'Sender'): string {
  const inner = renderXml(
    { Error: { Type: type, Code: code, Message: message }, RequestId: requestId },
    'member',
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${ASG_NS}">${inner}</ErrorResponse>`;
}
