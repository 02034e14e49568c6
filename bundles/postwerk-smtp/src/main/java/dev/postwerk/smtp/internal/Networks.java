package dev.postwerk.smtp.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** A set of CIDR blocks (IPv4 and IPv6), e.g. the networks trusted to relay. */
final class Networks {

    private record Block(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Block> blocks;

    private Networks(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * Parses entries like {@code 192.0.2.0/24}, {@code 2001:db8::/32} or a single address; each
     * entry may itself be a comma-separated list (as a .cfg file gives it).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    static Networks parse(String... entries) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : entries) {
            for (String part : entry.split(",")) {
                String cidr = part.trim();
                if (cidr.isEmpty()) {
                    continue;
                }
                int slash = cidr.indexOf('/');
                String host = slash < 0 ? cidr : cidr.substring(0, slash);
                if (!host.matches("[0-9a-fA-F:.]+")) {
                    throw new IllegalArgumentException("not an IP network: " + cidr); // no DNS lookups here
                }
                byte[] address;
                try {
                    address = InetAddress.getByName(host).getAddress();
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("not an IP network: " + cidr);
                }
                int prefix;
                try {
                    prefix = slash < 0 ? address.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad prefix length: " + cidr);
                }
                if (prefix < 0 || prefix > address.length * 8) {
                    throw new IllegalArgumentException("bad prefix length: " + cidr);
                }
                blocks.add(new Block(address, prefix));
            }
        }
        return new Networks(blocks);
    }

    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Block b : blocks) {
            if (b.contains(bytes)) {
                return true;
            }
        }
        return false;
    }
}
